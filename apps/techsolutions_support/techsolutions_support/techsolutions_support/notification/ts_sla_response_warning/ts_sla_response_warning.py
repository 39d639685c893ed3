from techsolutions_support.sla.alerts import notification_context


def get_context(context):
	return notification_context(context, "response_warning")
