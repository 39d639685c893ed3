// The new-request form (/support/new): a draft kept on the device while it is typed, photos
// checked before they are kept, knowledge-base suggestions while typing, and sending through
// the outbox (ts_portal_outbox.js), which also sends it later when the phone is offline now.
(function () {
	"use strict";

	const form = document.getElementById("ts-new-form");
	if (!form || !window.tsOutbox) return;

	const config = JSON.parse(form.dataset.config || "{}");
	const policy = config.policy || {};
	const messages = config.messages || {};
	const SUGGEST = "techsolutions_support.api.kb.suggest_articles";
	const OPENED = "techsolutions_support.api.kb.increment_views";
	const SUGGEST_DELAY_MS = 400;
	const SAVE_DELAY_MS = 300;
	const MIN_QUERY_LENGTH = 3;

	const $ = (selector) => document.querySelector(selector);
	const field = (name) => form.elements.namedItem(name);
	const status = $("#ts-new-status");
	const fileError = $("#ts-file-error");
	const formError = $("#ts-form-error");
	const fileList = $("#ts-file-list");
	const submit = $("#ts-submit");
	const suggestions = $("#ts-suggestions");

	const format = (text, ...values) => values.reduce((out, value, i) => out.replace(`{${i}}`, value), text || "");
	let draft = null;
	let sending = false;

	// The draft ------------------------------------------------------------------------------

	function readForm() {
		return {
			subject: field("subject").value,
			description: field("description").value,
			ticket_type: field("ticket_type").value,
			impact: form.querySelector('input[name="impact"]:checked')?.value || "",
			urgency: form.querySelector('input[name="urgency"]:checked')?.value || "",
		};
	}

	function fillForm(values) {
		field("subject").value = values.subject || "";
		field("description").value = values.description || "";
		field("ticket_type").value = values.ticket_type || "";
		for (const name of ["impact", "urgency"]) {
			const input = form.querySelector(`input[name="${name}"][value="${CSS.escape(values[name] || "")}"]`);
			if (input) input.checked = true;
		}
	}

	let saveTimer = null;
	function saveSoon() {
		clearTimeout(saveTimer);
		saveTimer = setTimeout(save, SAVE_DELAY_MS);
	}

	async function save() {
		clearTimeout(saveTimer);
		if (!draft || draft.state === "queued") return;
		Object.assign(draft, readForm());
		try {
			await tsOutbox.put(draft);
		} catch (error) {
			// Without IndexedDB the draft lives only in this page; the form still sends it.
		}
	}

	async function startDraft() {
		let kept = [];
		try {
			kept = await tsOutbox.drafts();
		} catch (error) {
			kept = [];
		}
		const open = kept.filter((d) => d.state !== "queued").pop();
		if (open) {
			draft = open;
			fillForm(draft);
			renderFiles();
			if (draft.state === "failed" && draft.error) showError(formError, format(messages.failed, draft.error));
			else if (draft.subject || draft.description) say(messages.draft_restored);
		} else {
			draft = { id: tsOutbox.newId(), user: tsOutbox.user, state: "editing", files: [] };
		}
		tsOutbox.shown = draft.id;
		suggestSoon();
	}

	// Photos and documents -------------------------------------------------------------------

	const extensionOf = (name) => (name.includes(".") ? name.split(".").pop().toLowerCase() : "");
	// Camera pictures often come as "image.jpg" or without a name; the server reads the content.
	const TYPE_EXTENSIONS = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic", "application/pdf": "pdf" };

	function checkFile(file) {
		if (!file.size) return format(messages.empty, file.name);
		if (file.size > policy.max_bytes) return format(messages.too_large, file.name, policy.max_mb);
		const extension = extensionOf(file.name) || TYPE_EXTENSIONS[file.type] || "";
		if (!(policy.allowed || []).includes(extension)) {
			return format(messages.not_allowed, file.name, (policy.allowed || []).join(", "));
		}
		return null;
	}

	async function addFiles(input) {
		const problems = [];
		for (const file of Array.from(input.files || [])) {
			const problem = checkFile(file);
			if (problem) {
				problems.push(problem);
			} else if (draft.files.length >= policy.max_files) {
				problems.push(format(messages.too_many, policy.max_files));
				break;
			} else {
				const name = file.name || `photo.${TYPE_EXTENSIONS[file.type] || "jpg"}`;
				draft.files.push({ key: tsOutbox.newId(), name, type: file.type, size: file.size, blob: file, file: null });
			}
		}
		input.value = "";
		showError(fileError, problems.join("\n"));
		renderFiles();
		await save();
	}

	function renderFiles() {
		fileList.textContent = "";
		for (const file of draft.files) {
			const item = document.createElement("li");
			const label = document.createElement("span");
			const size = file.size < 1048576 ? `${Math.ceil(file.size / 1024)} KB` : `${(file.size / 1048576).toFixed(1)} MB`;
			label.textContent = `${file.name} (${size})`;
			const remove = document.createElement("button");
			remove.type = "button";
			remove.className = "ts-file-remove";
			remove.textContent = messages.remove;
			remove.setAttribute("aria-label", `${messages.remove}: ${file.name}`);
			remove.addEventListener("click", async () => {
				draft.files = draft.files.filter((other) => other.key !== file.key);
				renderFiles();
				await save();
			});
			item.append(label, remove);
			fileList.append(item);
		}
	}

	// Suggestions from the knowledge base ----------------------------------------------------

	let suggestTimer = null;
	let suggestRound = 0;
	function suggestSoon() {
		clearTimeout(suggestTimer);
		suggestTimer = setTimeout(suggest, SUGGEST_DELAY_MS);
	}

	async function suggest() {
		const subject = field("subject").value.trim();
		const description = field("description").value.trim();
		if ((subject + description).length < MIN_QUERY_LENGTH || !navigator.onLine) {
			suggestions.hidden = true;
			return;
		}
		const round = ++suggestRound;
		let articles = [];
		try {
			articles = await tsPortal.call(SUGGEST, { subject, description, limit: 5 });
		} catch (error) {
			return;
		}
		if (round !== suggestRound) return;
		renderSuggestions(articles || []);
	}

	function renderSuggestions(articles) {
		const list = suggestions.querySelector("ul");
		list.textContent = "";
		for (const article of articles.slice(0, 5)) {
			const item = document.createElement("li");
			const link = document.createElement("a");
			link.href = `/helpdesk/kb-public/articles/${encodeURIComponent(article.id)}`;
			link.target = "_blank";
			link.rel = "noopener";
			link.className = "ts-suggestion";
			link.textContent = article.subject;
			link.addEventListener("click", () => {
				tsPortal.call(OPENED, { article: article.id }).catch(() => {});
			});
			const snippet = document.createElement("p");
			snippet.className = "ts-muted";
			// The server escapes the snippet and marks the matched words with <b> only.
			snippet.innerHTML = article.description || "";
			item.append(link, snippet);
			list.append(item);
		}
		suggestions.hidden = !articles.length;
	}

	// Messages -------------------------------------------------------------------------------

	function say(text) {
		status.textContent = text || "";
		status.hidden = !text;
	}

	function showError(element, text) {
		element.textContent = text || "";
		element.hidden = !text;
	}

	// The sent request is confirmed above an empty form: what was sent is not shown as if it
	// still waited, and the next request starts from nothing.
	function showDone(result) {
		const done = $("#ts-new-done");
		done.querySelector("[data-ticket]").textContent = result.ticket;
		done.querySelector("[data-ticket-link]").href = result.url;
		done.hidden = false;
		startOver();
		say("");
		done.scrollIntoView({ block: "start" });
	}

	function startOver() {
		clearTimeout(saveTimer);
		clearTimeout(suggestTimer);
		suggestRound += 1;
		draft = { id: tsOutbox.newId(), user: tsOutbox.user, state: "editing", files: [] };
		tsOutbox.shown = draft.id;
		form.reset();
		fillForm({});
		renderFiles();
		renderSuggestions([]);
		showError(fileError, "");
		showError(formError, "");
		sending = false;
		submit.disabled = false;
	}

	// Sending --------------------------------------------------------------------------------

	function problemsOfForm() {
		if (!field("subject").value.trim()) return [messages.subject_missing, field("subject")];
		if (!field("description").value.trim()) return [messages.description_missing, field("description")];
		return null;
	}

	async function send(event) {
		event.preventDefault();
		if (sending) return;
		const problem = problemsOfForm();
		if (problem) {
			showError(formError, problem[0]);
			problem[1].focus();
			return;
		}
		showError(formError, "");
		sending = true;
		submit.disabled = true;
		Object.assign(draft, readForm(), { state: "queued", error: null });
		let kept = true;
		try {
			await tsOutbox.put(draft);
		} catch (error) {
			// Storage is off (some private modes): the request can only be sent now.
			kept = false;
		}

		if (!navigator.onLine) {
			if (kept) {
				say(messages.offline_saved);
				return;
			}
			draft.state = "editing";
			sending = false;
			submit.disabled = false;
			showError(formError, messages.not_kept);
			return;
		}
		say(messages.sending);
		try {
			showDone(await tsOutbox.send(draft));
		} catch (error) {
			if (!error.status || error.status >= 500) {
				say(messages.saved_retry);
			} else {
				draft.state = "failed";
				sending = false;
				submit.disabled = false;
				say("");
				showError(formError, format(messages.failed, error.message));
			}
		}
	}

	// The outbox sends a queued draft when the connection returns, also this page's own.
	window.addEventListener("ts-outbox", (event) => {
		const { type, draft: sent, result, file, error } = event.detail;
		if (!draft || sent.id !== draft.id) return;
		if (type === "uploading") say(format(messages.uploading, file.name));
		if (type === "sent") showDone(result);
		if (type === "failed") {
			draft.state = "failed";
			sending = false;
			submit.disabled = false;
			say("");
			showError(formError, format(messages.failed, error.message));
		}
	});
	window.addEventListener("offline", () => {
		if (draft && draft.state === "queued") say(messages.offline_saved);
	});

	form.addEventListener("input", (event) => {
		if (event.target.type !== "file") saveSoon();
		if (event.target.name === "subject" || event.target.name === "description") suggestSoon();
	});
	form.addEventListener("change", (event) => {
		if (event.target.type === "file") addFiles(event.target);
		else saveSoon();
	});
	form.addEventListener("submit", send);

	startDraft();
})();
