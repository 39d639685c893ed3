// Customer portal (/support, portal/pages.py): requests written on this device, kept until they are filed.
//
// A draft lives in IndexedDB with its photos (as Blobs), so neither a lost connection nor a
// closed tab loses it. A draft marked "queued" is sent when the browser comes back online, on
// the next visit of any portal page, or at once when the form sends it. Each draft carries a
// client request id (a UUID): the server files one ticket per id and user, however often the
// same draft arrives (api/filing.py), so sending again after a lost answer is always safe.
//
// Draft: { id, user, state: "editing" | "queued" | "failed", subject, description, ticket_type,
//          impact, urgency, files: [{ key, name, type, size, blob, file }], error, updated }
// Events on window, "ts-outbox": detail { type: "sending" | "uploading" | "sent" | "failed" |
//          "waiting" | "login", draft, result, error }
(function () {
	"use strict";

	const DB_NAME = "ts-portal";
	const STORE = "drafts";
	const UPLOAD = "techsolutions_support.api.filing.upload_attachment";
	const FILE = "techsolutions_support.api.filing.file_request";
	// The server's answer when a stored photo of the draft is gone (AttachmentMissingError).
	const MISSING_ATTACHMENT = "AttachmentMissingError";
	const CACHE_PREFIX = "ts-portal-";

	const script = document.currentScript;
	const user = (script && script.dataset.user) || "";
	const texts = (script && script.dataset) || {};

	let dbPromise = null;

	function openDb() {
		if (!dbPromise) {
			dbPromise = new Promise((resolve, reject) => {
				if (!("indexedDB" in window)) {
					reject(new Error("IndexedDB is not available"));
					return;
				}
				const request = indexedDB.open(DB_NAME, 1);
				request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
		}
		return dbPromise;
	}

	async function withStore(mode, action) {
		const db = await openDb();
		return new Promise((resolve, reject) => {
			const transaction = db.transaction(STORE, mode);
			const request = action(transaction.objectStore(STORE));
			transaction.oncomplete = () => resolve(request ? request.result : undefined);
			transaction.onerror = () => reject(transaction.error);
			transaction.onabort = () => reject(transaction.error);
		});
	}

	const put = (draft) => withStore("readwrite", (store) => store.put({ ...draft, updated: Date.now() }));
	const get = (id) => withStore("readonly", (store) => store.get(id));
	const remove = (id) => withStore("readwrite", (store) => store.delete(id));
	const all = () => withStore("readonly", (store) => store.getAll());

	async function drafts(state) {
		const list = (await all()) || [];
		return list
			.filter((draft) => draft.user === user && (!state || draft.state === state))
			.sort((a, b) => a.updated - b.updated);
	}

	function newId() {
		if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
		const bytes = crypto.getRandomValues(new Uint8Array(16));
		bytes[6] = (bytes[6] & 0x0f) | 0x40;
		bytes[8] = (bytes[8] & 0x3f) | 0x80;
		const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}

	function emit(type, detail) {
		window.dispatchEvent(new CustomEvent("ts-outbox", { detail: { type, ...detail } }));
	}

	// No answer at all, or a gateway without the site behind it: try again later.
	const isTransient = (error) => !error.status || error.status >= 500;
	// The session ended or its CSRF token changed (a page kept from an earlier visit).
	const isSessionProblem = (error) => error.status === 400 || error.status === 401 || error.status === 403;

	async function refreshCsrfToken() {
		const response = await fetch("/support/new", { credentials: "same-origin", cache: "no-store" });
		if (!response.ok || response.redirected) return false;
		const page = new DOMParser().parseFromString(await response.text(), "text/html");
		const token = page.querySelector('meta[name="csrf-token"]')?.content;
		const meta = document.querySelector('meta[name="csrf-token"]');
		if (!token || !meta) return false;
		meta.content = token;
		return true;
	}

	async function callWithSession(method, args, options) {
		try {
			return await tsPortal.call(method, args, options);
		} catch (error) {
			if (isSessionProblem(error) && (await refreshCsrfToken())) {
				return tsPortal.call(method, args, options);
			}
			throw error;
		}
	}

	function formOf(draft, file) {
		const form = new FormData();
		form.append("client_request_id", draft.id);
		form.append("file", file.blob, file.name);
		return form;
	}

	// Send one draft: its files not yet stored, then the request. Resolves with the filed ticket
	// ({ ticket, url, created }); rejects when it could not be sent (the draft stays, marked).
	async function send(draft) {
		emit("sending", { draft });
		try {
			try {
				return await sendOnce(draft);
			} catch (error) {
				// The server removes photos of drafts not sent for days (portal/filing.py); the
				// device still has them: send them again, once.
				if (error.type !== MISSING_ATTACHMENT) throw error;
				for (const file of draft.files || []) delete file.file;
				await put(draft);
				return await sendOnce(draft);
			}
		} catch (error) {
			if (isTransient(error)) {
				emit("waiting", { draft, error });
			} else if (isSessionProblem(error)) {
				emit("login", { draft, error });
			} else {
				await put({ ...draft, state: "failed", error: error.message });
				emit("failed", { draft, error });
			}
			throw error;
		}
	}

	async function sendOnce(draft) {
		for (const file of draft.files || []) {
			if (file.file) continue;
			emit("uploading", { draft, file });
			const stored = await callWithSession(UPLOAD, null, { form: formOf(draft, file) });
			if (stored.ticket) return await finish(draft, { ticket: stored.ticket, created: false });
			file.file = stored.file;
			await put(draft);
		}
		const result = await callWithSession(FILE, {
			client_request_id: draft.id,
			subject: draft.subject || "",
			description: draft.description || "",
			ticket_type: draft.ticket_type || "",
			impact: draft.impact || "",
			urgency: draft.urgency || "",
			attachments: JSON.stringify((draft.files || []).map((file) => file.file)),
		});
		return await finish(draft, result);
	}

	async function finish(draft, result) {
		await remove(draft.id);
		const filed = { url: `/support/ticket/${result.ticket}`, ...result };
		emit("sent", { draft, result: filed });
		return filed;
	}

	// Send every queued draft of this user, one at a time; one tab at a time where the browser
	// can say so (the server would refuse a second ticket anyway).
	async function flush() {
		if (!user || !navigator.onLine) return;
		const run = async () => {
			for (const draft of await drafts("queued")) {
				try {
					await send(draft);
				} catch (error) {
					if (isTransient(error) || isSessionProblem(error)) break;
				}
			}
		};
		if (navigator.locks) return navigator.locks.request("ts-portal-outbox", run);
		return run();
	}

	// Shown on every portal page: drafts waiting, drafts just sent.
	function banner() {
		let element = document.getElementById("ts-outbox-status");
		if (!element) {
			element = document.createElement("div");
			element.id = "ts-outbox-status";
			element.className = "ts-message ts-outbox-status";
			element.setAttribute("role", "status");
			element.hidden = true;
			document.querySelector(".ts-main")?.prepend(element);
		}
		return element;
	}

	async function showWaiting() {
		const waiting = (await drafts("queued")).length;
		const element = banner();
		element.hidden = !waiting || !texts.waiting;
		if (waiting) element.textContent = (texts.waiting || "").replace("{0}", waiting);
	}

	window.addEventListener("ts-outbox", async (event) => {
		const { type, result, draft } = event.detail;
		// The form shows its own draft's progress; the banner tells about the others.
		if (draft && draft.id === window.tsOutbox.shown) return;
		if (type === "sent" && texts.sent) {
			const element = banner();
			element.textContent = "";
			const link = document.createElement("a");
			link.href = result.url;
			link.textContent = texts.sent.replace("{0}", result.ticket);
			element.append(link);
			element.hidden = false;
		} else if (type === "waiting" || type === "login") {
			await showWaiting();
		}
	});

	// Pages kept for offline use belong to the user who opened them: none for the next one.
	async function forgetOtherUsersPages() {
		try {
			const previous = localStorage.getItem("ts-portal-user");
			localStorage.setItem("ts-portal-user", user);
			if (!previous || previous === user || !("caches" in window)) return;
			for (const name of await caches.keys()) {
				if (name.startsWith(CACHE_PREFIX)) await caches.delete(name);
			}
		} catch (error) {
			// Storage may be off (private mode): nothing kept, nothing to forget.
		}
	}

	// `shown`: the id of the draft a form on this page shows, set by that form.
	window.tsOutbox = { user, newId, put, get, remove, drafts, send, flush, shown: null };

	if (user) {
		forgetOtherUsersPages();
		window.addEventListener("online", () => flush().catch(() => {}));
		showWaiting()
			.then(() => flush())
			.catch(() => {});
	}
})();
