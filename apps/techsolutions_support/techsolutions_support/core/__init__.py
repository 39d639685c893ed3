"""Framework-free core of TechSolutions Support.

Everything below this package is plain, typed Python: it never imports Frappe or Helpdesk,
takes its clock and time zones as arguments, never touches a database and raises only the
exceptions it documents. Doctype controllers, hooks, API methods and jobs are thin adapters
that read fields, call into here and write the results back.
"""
