// Helpdesk agent UI, ticket page: "Draft Article" on a resolved ticket (api/kb.py).
// Stored as the HD Form Script "TS Draft Article" by setup/kb.py; Helpdesk runs setupForm.
function setupForm({ doc, call, router, toast }) {
	const translate = typeof __ === "function" ? __ : (text) => text;
	if (!doc || doc.status_category !== "Resolved" || doc.ts_solved_by_article) {
		return { actions: [] };
	}
	return {
		actions: [
			{
				label: translate("Draft Article"),
				onClick: async () => {
					try {
						const draft = await call("techsolutions_support.api.kb.create_article_draft", {
							ticket: doc.name,
						});
						router.push({ name: "Article", params: { articleId: draft.article } });
					} catch (error) {
						const message = error?.messages?.join(" ") || error?.message || String(error);
						if (toast?.error) {
							toast.error(message);
						}
					}
				},
			},
		],
	};
}
