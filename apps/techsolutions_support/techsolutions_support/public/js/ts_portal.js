// Customer portal (/support, portal/pages.py): shared helpers. Pages add their own scripts.
(function () {
	"use strict";

	const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

	// Calls a whitelisted method and returns its `message`; throws an Error with the server's
	// (translated) text, the HTTP status and the exception's class name (`type`) when it fails.
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
			error.type = data.exc_type || "";
			throw error;
		}
		return data.message;
	}

	if ("serviceWorker" in navigator) {
		// Scope /support (not /support/): the list page itself is /support (portal/pwa.py).
		navigator.serviceWorker.register("/support/sw.js", { scope: "/support" }).catch(() => {});
	}

	// The pages this device keeps for offline use (sw.js) show the names and subjects of a
	// customer's requests: logging out deletes them before it leaves, so a phone handed on or
	// shared shows nothing of them offline. The shell (styles, scripts, icons) stays.
	async function forgetKeptPages() {
		if (!("caches" in window)) return;
		for (const name of await caches.keys()) {
			if (!name.startsWith("ts-portal-")) continue;
			const cache = await caches.open(name);
			for (const request of await cache.keys()) {
				if (!new URL(request.url).pathname.startsWith("/assets/")) await cache.delete(request);
			}
		}
	}

	document.addEventListener("click", (event) => {
		const link = event.target instanceof Element && event.target.closest("a[data-ts-logout]");
		if (!link || event.defaultPrevented || event.button !== 0) return;
		event.preventDefault();
		forgetKeptPages()
			.catch(() => {})
			.finally(() => { window.location.href = link.href; });
	});

	window.tsPortal = { call, csrfToken, forgetKeptPages };
})();
