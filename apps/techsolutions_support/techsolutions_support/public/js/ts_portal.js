// Customer portal (www/support): shared helpers. Pages add their own scripts.
(function () {
	"use strict";

	const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

	// Calls a whitelisted method and returns its `message`; throws an Error with the server's
	// (translated) text when the call fails.
	async function call(method, args, { form } = {}) {
		const body = form || new URLSearchParams(args || {});
		const response = await fetch(`/api/method/${method}`, {
			method: "POST",
			headers: { "X-Frappe-CSRF-Token": csrfToken(), Accept: "application/json" },
			body,
		});
		const data = await response.json().catch(() => ({}));
		if (!response.ok) {
			const messages = data._server_messages ? JSON.parse(data._server_messages) : [];
			const text = messages.map((m) => { try { return JSON.parse(m).message; } catch { return m; } }).join("\n");
			const error = new Error(text || data.exception || response.statusText);
			error.status = response.status;
			throw error;
		}
		return data.message;
	}

	if ("serviceWorker" in navigator) {
		// Scope /support (not /support/): the list page itself is /support (portal/pwa.py).
		navigator.serviceWorker.register("/support/sw.js", { scope: "/support" }).catch(() => {});
	}

	window.tsPortal = { call, csrfToken };
})();
