"""The one HTTP client of the end-to-end tests: a browser-like session on the served test site.

Requests go to TS_E2E_URL (127.0.0.1 and the port `./dev test` serves on) with the site's name in
the Host header, so that Frappe finds the site. Like a browser's page script, the session keeps
the CSRF token a page gives it (the portal's or Helpdesk's app) and sends it from then on: Frappe
refuses the session's POSTs without it once a page has made one.

`get` and `post` return the response as it came, for tests that expect a refusal; `call`,
`get_list`, `get_doc`, `insert`, `set_value` and `attach_file` fail the test unless the site
answers with success, and return what it answered.
"""

import json
import os
import re
from typing import Any

import requests

URL = os.environ.get("TS_E2E_URL", "")
SITE = os.environ.get("TS_E2E_SITE", "")
PASSWORD = os.environ.get("TS_E2E_PASSWORD", "")
ADMIN_PASSWORD = os.environ.get("TS_E2E_ADMIN_PASSWORD", "")
TIMEOUT_S = 30

# Where a page gives the session its token: the portal's pages in a meta tag, Helpdesk's app in
# its boot values (window["csrf_token"] = "...").
CSRF_IN_PAGE = re.compile(r'<meta name="csrf-token" content="([^"]*)"|window\["csrf_token"\] = "([^"]*)"')


class SiteClient:
	"""A guest, or `user` logged in: Administrator with the admin password, anyone else with the
	password every demo user has. `headers` go with every request."""

	def __init__(self, user: str | None = None, headers: dict[str, str] | None = None):
		self.session = requests.Session()
		self.session.headers.update({"Host": SITE, "Accept": "application/json", **(headers or {})})
		if user:
			password = ADMIN_PASSWORD if user == "Administrator" else PASSWORD
			response = self.post("/api/method/login", {"usr": user, "pwd": password})
			assert response.ok, f"login of {user} failed: {response.status_code} {response.text[:200]}"

	def get(
		self,
		path: str,
		params: dict[str, Any] | None = None,
		headers: dict[str, str] | None = None,
		allow_redirects: bool = True,
	) -> requests.Response:
		"""GETs `path` (a page, a file or the API) and keeps the CSRF token a page carries."""
		response = self.session.get(
			f"{URL}{path}",
			params=params,
			headers=headers,
			allow_redirects=allow_redirects,
			timeout=TIMEOUT_S,
		)
		found = CSRF_IN_PAGE.search(response.text)
		token = found and (found.group(1) or found.group(2))
		if token:
			self.session.headers["X-Frappe-CSRF-Token"] = token
		return response

	def post(
		self,
		path: str,
		body: dict[str, Any] | None = None,
		form: dict[str, str] | None = None,
		files: dict[str, tuple[str, bytes]] | None = None,
	) -> requests.Response:
		"""POSTs a JSON `body` (as frappe-ui sends one), or `form` fields and `files`, to `path`.

		Sent once more when MariaDB chose this request's transaction to end a deadlock (the site's
		background worker writes beside the tests), as the portal's page script retries a 5xx."""
		response = self.session.post(f"{URL}{path}", json=body, data=form, files=files, timeout=TIMEOUT_S)
		if response.status_code >= 500 and "QueryDeadlockError" in response.text[:500]:
			response = self.session.post(f"{URL}{path}", json=body, data=form, files=files, timeout=TIMEOUT_S)
		return response

	def call(self, method: str, **args: Any) -> Any:
		"""The answer of the whitelisted `method`, called with `args` as a JSON body."""
		return answer(self.post(f"/api/method/{method}", args)).get("message")

	def get_list(
		self,
		doctype: str,
		filters: list[list[Any]] | None = None,
		fields: list[str] | None = None,
		**params: Any,
	) -> list[dict[str, Any]]:
		"""The records of `doctype` this user may read; `params` as the REST API takes them."""
		if filters is not None:
			params["filters"] = json.dumps(filters)
		if fields is not None:
			params["fields"] = json.dumps(fields)
		return answer(self.get(f"/api/resource/{doctype}", params))["data"]

	def get_doc(self, doctype: str, name: str) -> dict[str, Any]:
		return answer(self.get(f"/api/resource/{doctype}/{name}"))["data"]

	def insert(self, doctype: str, doc: dict[str, Any]) -> dict[str, Any]:
		return answer(self.post(f"/api/resource/{doctype}", doc))["data"]

	def set_value(self, doctype: str, name: str, **values: Any) -> dict[str, Any]:
		"""Saves `values` on the record, as a form does; returns the saved record."""
		response = self.session.put(f"{URL}/api/resource/{doctype}/{name}", json=values, timeout=TIMEOUT_S)
		return answer(response)["data"]

	def attach_file(self, doctype: str, name: str, file_name: str, content: bytes) -> dict[str, Any]:
		"""Uploads `content` as a private file attached to the record; returns the File."""
		response = self.post(
			"/api/method/upload_file",
			form={"is_private": "1", "doctype": doctype, "docname": name},
			files={"file": (file_name, content)},
		)
		return answer(response)["message"]


def answer(response: requests.Response) -> dict[str, Any]:
	"""The body of a successful response; fails the test, naming the request, on any other."""
	request = response.request
	assert response.ok, f"{request.method} {request.url}: {response.status_code} {response.text[:300]}"
	return response.json()
