"use strict";
// The console: everything it shows and changes goes through the admin API (/__mockexp).
// Every text is set with textContent (never innerHTML), so what the mock holds renders as text.
(function () {
  const ADMIN = "/__mockexp";
  const POLL_MS = 1000;
  const SHOWN = 200; // journal rows kept on the page
  const $ = (id) => document.getElementById(id);
  const state = { vendors: [], journal: [], seen: new Set(), since: null, selected: null, clock: null };

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function say(message, error) {
    const status = $("status");
    status.textContent = message || "";
    status.className = error ? "error" : "";
  }

  // -- the admin API, with its protections: JSON bodies, same origin, the token when asked ----
  async function admin(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem("mockexp-admin-token");
    if (token) headers.Authorization = "Bearer " + token;
    if (method !== "GET" && method !== "DELETE") headers["Content-Type"] = "application/json";
    const answer = await fetch(ADMIN + path, { method, headers, body: body === undefined ? (headers["Content-Type"] ? "{}" : undefined) : JSON.stringify(body), credentials: "same-origin" });
    if (answer.status === 401) {
      await askToken();
      return admin(method, path, body);
    }
    const data = await answer.json().catch(() => null);
    if (!answer.ok) throw new Error(`${method} ${ADMIN}${path}: ${answer.status} ${(data && data.message) || ""}`);
    return data;
  }

  let asking = null;
  function askToken() {
    if (asking) return asking;
    const refused = sessionStorage.getItem("mockexp-admin-token") !== null;
    asking = new Promise((resolve) => {
      const dialog = $("token-dialog");
      $("token-refused").hidden = !refused;
      $("token-input").value = "";
      $("token-form").onsubmit = () => {
        sessionStorage.setItem("mockexp-admin-token", $("token-input").value.trim());
        asking = null;
        resolve();
      };
      dialog.showModal();
      $("token-input").focus();
    });
    return asking;
  }

  async function act(what, run) {
    try {
      await run();
      say(what);
    } catch (error) {
      say(String(error.message || error), true);
    }
  }

  // -- vendors: base URL, links, credentials, experiments ---------------------------------------
  async function loadVendors() {
    const index = await (await fetch("/", { headers: { Accept: "application/json" } })).json();
    const [credentials, experiments] = await Promise.all([admin("GET", "/credentials"), admin("GET", "/experiments")]);
    state.vendors = index.vendors;
    $("admin-link").href = index.admin.api;
    for (const id of ["filter-vendor", "reset-vendor", "fault-vendor"]) fillVendors($(id));
    const byVendor = Object.fromEntries(experiments.vendors.map((found) => [found.vendor, found]));
    $("vendor-list").replaceChildren(...index.vendors.map((vendor) =>
      vendorCard(vendor, credentials.filter((c) => c.vendor === vendor.name), byVendor[vendor.name])));
  }

  function fillVendors(select) {
    const first = select.options[0];
    select.replaceChildren(first, ...state.vendors.map((v) => el("option", { value: v.name, text: v.name })));
  }

  function vendorCard(vendor, credentials, experiments) {
    const base = location.origin + vendor.api;
    return el("article", { class: "card vendor", "data-vendor": vendor.name, "aria-labelledby": "v-" + vendor.name },
      el("div", { class: "head" },
        el("h3", { id: "v-" + vendor.name, text: vendor.name }),
        el("span", { class: "hint", text: vendor.title })),
      el("p", {}, "Base URL ", el("code", { class: "base-url", text: base }), " ", copyButton(base, "base URL of " + vendor.name)),
      el("p", {},
        el("a", { href: vendor.ui, text: "Swagger UI" }), " · ",
        el("a", { href: vendor.spec, text: "OpenAPI spec" }), " · ",
        el("a", { href: vendor.api, text: `${vendor.operations} operations` })),
      credentialTable(vendor, credentials),
      experimentList(vendor, experiments));
  }

  function copyButton(value, what) {
    return el("button", {
      type: "button", class: "small copy", "aria-label": "Copy " + what, text: "Copy",
      onclick: async (event) => {
        const button = event.currentTarget;
        try { await navigator.clipboard.writeText(value); } catch (error) { fallbackCopy(value); }
        button.textContent = "Copied";
        setTimeout(() => { button.textContent = "Copy"; }, 1500);
      },
    });
  }

  function fallbackCopy(value) {
    const area = el("textarea", { "aria-hidden": "true" });
    area.value = value;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  function credentialTable(vendor, credentials) {
    const items = credentials.map((c) => el("li", { class: "credential" },
      el("div", {}, el("code", { class: "header", text: `${c.header}: ${c.value}` }), " ", copyButton(c.value, `${c.role} credential of ${vendor.name}`)),
      el("div", {}, el("strong", { text: c.role }), " ", c.can_write ? el("span", { class: "badge ok", text: "writes" }) : el("span", { class: "badge", text: c.permissions.length ? "reads only" : "may do nothing" }),
        " ", el("span", { class: "hint", text: c.permissions.join(", ") + (c.note ? " — " + c.note : "") })),
      Object.keys(c.tenant).length ? el("div", { class: "hint" }, "Tenant: ", Object.entries(c.tenant).map(([k, v]) => el("span", {}, `${k} `, el("code", { text: v }), " "))) : null));
    return el("details", { class: "credentials" },
      el("summary", { text: `Credentials (${credentials.length})` }),
      el("ul", { class: "creds plain" }, items));
  }

  function experimentList(vendor, found) {
    if (!found) return el("p", { class: "hint", text: "No experiment list for this vendor." });
    if (found.error) return el("p", { class: "badge bad", text: `${found.path}: ${found.error}` });
    const total = found.states.reduce((sum, group) => sum + group.experiments.length, 0);
    return el("div", { class: "experiments" },
      el("h4", {}, `Experiments (${total}) `, el("span", { class: "hint", text: `as ${found.path} lists them for ${found.credential.role}` })),
      el("div", { class: "states" }, found.states.map((group) => el("details", { open: group.experiments.length <= 6, "data-state": group.state },
        el("summary", {}, el("span", { class: "badge state", text: group.state }), ` ${group.experiments.length}`),
        el("ul", {}, group.experiments.map((experiment) => el("li", { class: "experiment" },
          el("span", { class: "name", text: experiment.name }), " ",
          experiment.key && experiment.key !== experiment.name && experiment.key !== experiment.id ? el("code", { class: "hint", text: experiment.key }) : null, " ",
          el("button", { type: "button", class: "small", "aria-label": `JSON of ${experiment.name}`, text: "JSON", onclick: () => showJson(found.credential, experiment.path) }))))))));
  }

  async function showJson(credential, path) {
    $("json-request").textContent = `GET ${location.origin}${path}  (${credential.header}: ${credential.value})`;
    $("json-body").textContent = "…";
    $("json-dialog").showModal();
    const answer = await fetch(path, { headers: { [credential.header]: credential.value, Accept: "application/json" } });
    const text = await answer.text();
    try { $("json-body").textContent = `${answer.status}\n` + JSON.stringify(JSON.parse(text), null, 2); } catch (error) { $("json-body").textContent = `${answer.status}\n${text}`; }
  }

  // -- the journal: polled, filtered on the page ---------------------------------------------
  async function pollJournal() {
    const query = state.since ? "?since=" + encodeURIComponent(state.since) : "";
    const found = await admin("GET", "/requests" + query);
    let added = false;
    for (const entry of found.requests) {
      if (state.seen.has(entry.id)) continue;
      state.seen.add(entry.id);
      state.journal.push(entry);
      state.since = entry.time;
      added = true;
    }
    if (state.journal.length > SHOWN) {
      for (const entry of state.journal.splice(0, state.journal.length - SHOWN)) state.seen.delete(entry.id);
    }
    if (added) renderJournal();
  }

  function matches(entry) {
    const vendor = $("filter-vendor").value, status = $("filter-status").value.trim(), path = $("filter-path").value.trim();
    return (!vendor || entry.vendor === vendor) && (!status || String(entry.status) === status) && (!path || entry.path.startsWith(path));
  }

  function renderJournal() {
    const rows = state.journal.filter(matches).reverse().map((entry) => el("tr", {
      tabindex: "0", "data-id": entry.id, "data-selected": String(state.selected === entry.id), "aria-label": `${entry.method} ${entry.path}, ${entry.status}: show details`,
      onclick: () => select(entry), onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(entry); } },
    },
    el("td", { text: entry.time.slice(11, 19) }), el("td", { text: entry.vendor }), el("td", { text: entry.method }),
    el("td", {}, el("code", { text: entry.path + queryText(entry.query) })),
    el("td", {}, el("span", { class: "badge " + (entry.status >= 400 || entry.status === 0 ? "bad" : "ok"), text: entry.status || "dropped" })),
    el("td", { text: Math.round(entry.duration_ms) })));
    $("journal-rows").replaceChildren(...rows);
  }

  function queryText(query) {
    const text = new URLSearchParams(Object.entries(query || {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString();
    return text ? "?" + text : "";
  }

  function select(entry) {
    state.selected = entry.id;
    for (const row of $("journal-rows").children) row.dataset.selected = String(row.dataset.id === String(entry.id));
    $("journal-detail").replaceChildren(
      el("h3", { text: `${entry.method} ${entry.path}` }),
      el("p", {}, `${entry.vendor} · ${entry.operationId || "no operation"} · ${entry.time} · answer `,
        el("strong", { text: String(entry.status) }), `, ${entry.response.body_size} bytes, ${entry.duration_ms} ms`),
      el("h4", { text: "Request headers (credentials masked)" }), el("pre", { text: JSON.stringify(entry.request.headers, null, 2) }),
      el("h4", { text: "Request body" }), el("pre", { text: entry.request.body === null ? "(none)" : JSON.stringify(entry.request.body, null, 2) }),
      el("h4", { text: "Answer headers" }), el("pre", { text: JSON.stringify(entry.response.headers, null, 2) }));
  }

  // -- clock ----------------------------------------------------------------------------------
  function showClock(clock) {
    state.clock = clock;
    for (const id of ["clock-now", "clock-now-2"]) $(id).textContent = clock.now.replace("T", " ").slice(0, 19) + " UTC";
    const mode = clock.mode === "frozen" ? "frozen" : clock.offset_seconds ? "running, moved ahead" : "real time";
    $("clock-mode").textContent = mode;
    $("clock-mode").className = "badge" + (clock.mode === "frozen" ? " frozen" : "");
    $("clock-mode-2").textContent = mode;
    if (state.since && clock.now < state.since) state.since = null; // the clock went back: read the journal whole again
  }

  async function setClock(button) {
    const what = button.dataset.clock;
    const body = what === "freeze" ? { now: state.clock.now } : what === "real" ? { mode: "real" } : { advance: Number(what) };
    await act(`Clock: ${button.textContent}`, async () => showClock(await admin("PUT", "/clock", body)));
  }

  // -- reset and snapshots ---------------------------------------------------------------------
  async function loadSnapshots() {
    const found = await admin("GET", "/snapshots");
    $("snapshot-rows").replaceChildren(...found.snapshots.map((snapshot) => el("tr", { "data-snapshot": snapshot.name },
      el("td", {}, el("code", { text: snapshot.name })), el("td", { text: snapshot.created_at }), el("td", { text: snapshot.objects }),
      el("td", {},
        el("button", { type: "button", class: "small", "aria-label": "Restore " + snapshot.name, text: "Restore",
          onclick: () => act(`Restored ${snapshot.name}`, async () => { await admin("POST", `/snapshots/${encodeURIComponent(snapshot.name)}/restore`); await refresh(); }) }), " ",
        el("button", { type: "button", class: "small danger", "aria-label": "Delete " + snapshot.name, text: "Delete",
          onclick: () => act(`Deleted ${snapshot.name}`, async () => { await admin("DELETE", `/snapshots/${encodeURIComponent(snapshot.name)}`); await loadSnapshots(); }) })))));
  }

  // -- faults and rate limits --------------------------------------------------------------------
  const RULE_FIELDS = ["vendor", "operationId", "method", "path", "status", "headers", "latency_ms", "drop", "patch", "times", "probability", "seed"];
  let rules = [];

  function definition(rule) {
    return Object.fromEntries(RULE_FIELDS.filter((name) => rule[name] !== undefined && rule[name] !== null).map((name) => [name, rule[name]]));
  }

  async function loadFaults() {
    const found = (await admin("GET", "/faults")).rules;
    if (JSON.stringify(found) === JSON.stringify(rules) && $("fault-rows").children.length === rules.length) return; // unchanged: keep the focus where it is
    rules = found;
    $("fault-rows").replaceChildren(...rules.map((rule, index) => el("tr", { "data-rule": rule.id },
      el("td", { text: rule.id }),
      el("td", {}, el("code", { text: ["vendor", "operationId", "method", "path"].filter((k) => rule[k]).map((k) => `${k}=${rule[k]}`).join(" ") || "every request" })),
      el("td", { text: [rule.status && `answers ${rule.status}`, rule.drop && "drops the connection", rule.latency_ms !== undefined && `waits ${rule.latency_ms} ms`, rule.patch && "patches the answer", rule.times && `${rule.remaining} of ${rule.times} left`].filter(Boolean).join(", ") }),
      el("td", { class: "hits", text: rule.hits }),
      el("td", {}, el("button", { type: "button", class: "small danger", "aria-label": `Remove rule ${rule.id}`, text: "Remove",
        onclick: () => act(`Removed rule ${rule.id}`, async () => { await putRules(rules.filter((_, i) => i !== index).map(definition)); }) })))));
  }

  async function putRules(list) {
    await admin("PUT", "/faults", { rules: list });
    await loadFaults();
  }

  async function addRule(event) {
    event.preventDefault();
    const rule = {};
    const text = (id) => $(id).value.trim();
    if (text("fault-vendor")) rule.vendor = text("fault-vendor");
    if (text("fault-operation")) rule.operationId = text("fault-operation");
    if (text("fault-method")) rule.method = text("fault-method");
    if (text("fault-path")) rule.path = text("fault-path");
    if (text("fault-status")) rule.status = Number(text("fault-status"));
    if (text("fault-times")) rule.times = Number(text("fault-times"));
    if (text("fault-latency")) rule.latency_ms = Number(text("fault-latency"));
    await act("Fault rule added", () => putRules([...rules.map(definition), rule]));
  }

  async function loadLimits() {
    const found = await admin("GET", "/rate-limits");
    $("limit-list").replaceChildren(...found.vendors.map((limit) => el("li", {},
      el("label", { class: "inline" },
        el("input", { type: "checkbox", checked: limit.enabled, "data-vendor": limit.vendor,
          onchange: (event) => act(`Rate limit of ${limit.vendor} ${event.target.checked ? "on" : "off"}`, async () => {
            await admin("PUT", "/rate-limits", { vendors: [limit.vendor], enabled: event.target.checked });
            await loadLimits();
          }) }),
        ` ${limit.vendor}: ${limit.limits.map((l) => `${l.limit} requests per ${l.window_seconds} s per ${l.per}`).join("; ")}`))));
  }

  // -- wiring -------------------------------------------------------------------------------------
  async function refresh() {
    await Promise.all([loadVendors(), loadSnapshots(), loadFaults(), loadLimits(), admin("GET", "/clock").then(showClock)]);
  }

  async function tick() {
    try {
      const [clock] = await Promise.all([admin("GET", "/clock"), pollJournal()]);
      showClock(clock);
      if (rules.length) await loadFaults();
    } catch (error) {
      say("The mock does not answer: " + (error.message || error), true);
    }
    setTimeout(tick, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-clock]")) button.addEventListener("click", () => setClock(button));
    for (const id of ["filter-vendor", "filter-status", "filter-path"]) $(id).addEventListener("input", renderJournal);
    $("journal-filter").addEventListener("submit", (event) => event.preventDefault());
    $("journal-clear").addEventListener("click", () => act("Journal cleared", async () => {
      await admin("DELETE", "/requests");
      state.journal = []; state.seen.clear(); state.since = null; renderJournal();
    }));
    $("reset-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const vendor = $("reset-vendor").value;
      act(`Reset ${vendor || "every vendor"}`, async () => { await admin("POST", "/reset", vendor ? { vendors: [vendor] } : {}); await refresh(); });
    });
    $("snapshot-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("snapshot-name").value.trim();
      act(`Saved snapshot ${name}`, async () => { await admin("POST", "/snapshots", { name }); await loadSnapshots(); });
    });
    $("fault-form").addEventListener("submit", addRule);
    refresh().then(tick, (error) => { say(String(error.message || error), true); tick(); });
  });
})();
