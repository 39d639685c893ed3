// The customer portal's service worker (portal/pwa.py): the portal opens without a connection.
//
// - install: keep the shell (styles, scripts, icons, manifest) and the list and form pages;
// - pages under the scope: from the network first, kept when they arrive, each marked with the
//   user it was made for; offline, the kept copy, else the kept form (a request can always be
//   written and is sent later), but only to that same user: a logged-out or other session gets
//   a short "offline" page instead, never someone else's list;
// - shell files: from the cache, refreshed in the background;
// - anything else, every method call (/api/) and every non-GET request: untouched, never kept.
//
// Logging out through the portal's link deletes the kept pages first (ts_portal.js). Who is
// logged in is read from Frappe's `user_id` cookie (Cookie Store API).
// GAP: a browser whose workers lack the Cookie Store API (Firefox, Safari before 18.4) cannot
// tell the session offline; there, a session that ended without the portal's link (expired, or
// logged out in the desk) still finds its kept list offline until the next online visit.
const CONFIG = {{ worker_config }};
const CACHE = CONFIG.cache_name;
const OFFLINE_PAGE = "/support/new";
// The user a kept page was made for (a header of the kept copy only, never sent anywhere).
const OWNER_HEADER = "X-TS-Portal-User";
const NO_COOKIE_STORE = "?";

self.addEventListener("install", (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			await cache.addAll(CONFIG.shell_assets);
			await Promise.all(CONFIG.shell_pages.map((page) => keepPage(cache, page)));
			await self.skipWaiting();
		})()
	);
});

self.addEventListener("activate", (event) => {
	event.waitUntil(
		(async () => {
			for (const name of await caches.keys()) {
				if (name.startsWith("ts-portal-") && name !== CACHE) await caches.delete(name);
			}
			await self.clients.claim();
		})()
	);
});

// A page is kept only as the logged-in user got it: not a redirect to the login.
async function keepPage(cache, url) {
	try {
		const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
		if (response.ok && !response.redirected) await putOwned(cache, url, response);
	} catch (error) {
		// Offline while installing: the page is kept on its next visit.
	}
}

// The session's user from Frappe's `user_id` cookie: "" for a guest or a logged-out session,
// NO_COOKIE_STORE where the worker cannot read cookies.
async function sessionUser() {
	if (!self.cookieStore) return NO_COOKIE_STORE;
	try {
		const cookie = await self.cookieStore.get("user_id");
		const user = cookie ? decodeURIComponent(cookie.value) : "";
		return user === "Guest" ? "" : user;
	} catch (error) {
		return "";
	}
}

async function putOwned(cache, path, response) {
	const user = await sessionUser();
	if (!user) return;
	const headers = new Headers(response.headers);
	headers.set(OWNER_HEADER, user);
	const body = await response.blob();
	await cache.put(path, new Response(body, { status: response.status, statusText: response.statusText, headers }));
}

// A kept page, only for the user it was kept for.
async function ownedMatch(cache, path, user) {
	const kept = await cache.match(path);
	if (!kept || !user) return null;
	return kept.headers.get(OWNER_HEADER) === user ? kept : null;
}

const escapeHtml = (text) =>
	String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function offlinePage() {
	const words = CONFIG.offline;
	const html = `<!DOCTYPE html><html lang="${escapeHtml(CONFIG.lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(words.title)}</title>
<style>body{margin:0;padding:1.5rem 1rem;font:16px/1.45 system-ui,sans-serif;color:#1c2329;background:#f6f7f9}
a{display:inline-flex;align-items:center;min-height:44px;color:#1f4e79;font-weight:600}</style></head>
<body><main id="ts-offline"><h1>${escapeHtml(words.title)}</h1><p>${escapeHtml(words.text)}</p>
<p><a href="${escapeHtml(CONFIG.scope)}">${escapeHtml(words.retry)}</a></p></main></body></html>`;
	return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function inScope(url) {
	return url.pathname === CONFIG.scope || url.pathname.startsWith(`${CONFIG.scope}/`);
}

self.addEventListener("fetch", (event) => {
	const request = event.request;
	if (request.method !== "GET") return;
	const url = new URL(request.url);
	if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;

	if (request.mode === "navigate" && inScope(url)) {
		event.respondWith(networkFirst(request, url));
	} else if (CONFIG.shell_assets.includes(url.pathname)) {
		event.respondWith(cacheFirst(request, url));
	}
});

async function networkFirst(request, url) {
	const cache = await caches.open(CACHE);
	try {
		const response = await fetch(request);
		const isShellPage = CONFIG.shell_pages.includes(url.pathname);
		if (isShellPage && response.type === "opaqueredirect") {
			// A redirect (to the login) where the list or the form was: the session has ended,
			// and the pages kept for it go with it.
			await Promise.all(CONFIG.shell_pages.map((page) => cache.delete(page)));
		} else if (isShellPage && response.ok && !response.redirected) {
			await putOwned(cache, url.pathname, response.clone());
		}
		return response;
	} catch (error) {
		const user = await sessionUser();
		if (user === NO_COOKIE_STORE) {
			const kept = (await cache.match(url.pathname)) || (await cache.match(OFFLINE_PAGE));
			return kept || offlinePage();
		}
		const kept = (await ownedMatch(cache, url.pathname, user)) || (await ownedMatch(cache, OFFLINE_PAGE, user));
		return kept || offlinePage();
	}
}

async function cacheFirst(request, url) {
	const cache = await caches.open(CACHE);
	const kept = await cache.match(url.pathname);
	const fresh = fetch(request)
		.then((response) => {
			if (response.ok) cache.put(url.pathname, response.clone());
			return response;
		})
		.catch(() => null);
	return kept || (await fresh) || Response.error();
}
