// The customer portal's service worker (portal/pwa.py): the portal opens without a connection.
//
// - install: keep the shell (styles, scripts, icons, manifest) and the list and form pages;
// - pages under the scope: from the network first, kept when they arrive; offline, the kept
//   copy, else the kept form (a request can always be written and is sent later);
// - shell files: from the cache, refreshed in the background;
// - anything else, every method call (/api/) and every non-GET request: untouched, never kept.
//
// GAP: logging out does not pass through this worker (/?cmd=web_logout is outside its scope), so
// the kept list and form stay on the device until the next portal page is opened online (the
// login redirect clears them) or another user logs in (ts_portal_outbox.js clears them).
const CONFIG = {{ worker_config }};
const CACHE = CONFIG.cache_name;
const OFFLINE_PAGE = "/support/new";

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
		if (response.ok && !response.redirected) await cache.put(url, response);
	} catch (error) {
		// Offline while installing: the page is kept on its next visit.
	}
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
			await cache.put(url.pathname, response.clone());
		}
		return response;
	} catch (error) {
		const kept = (await cache.match(url.pathname)) || (await cache.match(OFFLINE_PAGE));
		if (kept) return kept;
		throw error;
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
