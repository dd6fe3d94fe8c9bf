"use strict";
/* The sandbox dashboard. It reads and drives the sandbox through the public control plane
   only (/__sandbox/...), with fetch. Every value that comes from the sandbox is put on the
   page as text (textContent, text nodes, attribute values), never parsed as HTML. */
(() => {
  const body = document.body;
  const tokenMeta = document.querySelector('meta[name="sandbox-admin-token"]');
  const ADMIN_TOKEN = tokenMeta ? tokenMeta.content : "";
  const POLL_MS = Number(body.dataset.pollMs) || 500;
  const TENANTS_MS = 2000;
  const STATE_MS = 5000;
  const $ = (selector) => document.querySelector(selector);

  const ui = {
    tenants: [],
    userId: null, // the selected tenant
    key: null, // the key the dashboard sends for it
    entries: [],
    shown: "", // the journal as rendered (its request ids), to re-render only on change
    open: null, // the request id of the entry shown in detail
    filter: "",
  };

  /* h("tr", {className: "x", onclick: f}, child, "text", ...): an element; strings become
     text nodes, so nothing handed to h is ever parsed as HTML. */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = String(value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function show(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function pretty(value) {
    if (value === null || value === undefined) return "(none)";
    if (typeof value === "string") return value;
    return JSON.stringify(value, null, 2);
  }

  /* ------------------------------------------------------------------ the control plane */

  class ControlError extends Error {
    constructor(status, payload) {
      const said = payload && typeof payload === "object" ? payload.message : undefined;
      const message = Array.isArray(said) ? said.join("; ") : said ?? `HTTP ${status}`;
      super(String(message));
      this.status = status;
      this.error = payload && payload.error ? String(payload.error) : "";
    }
  }

  async function control(method, path, { data, key } = {}) {
    const headers = { Accept: "application/json" };
    if (ADMIN_TOKEN) headers["X-Sandbox-Admin-Token"] = ADMIN_TOKEN;
    if (key) headers.Authorization = `Bearer ${key}`;
    const init = { method, headers, cache: "no-store" };
    if (data !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(data);
    }
    let response;
    try {
      response = await fetch(`/__sandbox${path}`, init);
    } catch (err) {
      throw new ControlError(0, { message: `The sandbox did not answer (${err.message})` });
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (err) {
      payload = null;
    }
    if (!response.ok) throw new ControlError(response.status, payload);
    return payload === null ? null : payload.data;
  }

  const tenantPath = (kind, orderNo, verb) => `/${kind}/${encodeURIComponent(orderNo)}/${verb}`;

  /* ------------------------------------------------------------------------ the notice */

  function notify(kind, text) {
    const box = $("#notice");
    const dismiss = h("button", { type: "button", className: "dismiss", "aria-label": "Dismiss",
      onclick: () => { box.hidden = true; } }, "×");
    box.replaceChildren(h("span", { className: "notice-text" }, text), dismiss);
    box.className = `notice ${kind}`;
    box.dataset.kind = kind;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = false;
  }

  /* Run one control action: say what it did or why the control plane refused it, then show
     the sandbox as it now is (a refused action changed nothing, and the page shows that). */
  async function act(label, run) {
    try {
      const said = await run();
      notify("ok", said || `${label}: done.`);
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      const status = err.status ? `${err.status}${err.error ? ` ${err.error}` : ""}: ` : "";
      notify("error", `${label} refused: ${status}${err.message}`);
    }
    await refresh();
  }

  /* --------------------------------------------------------------------------- tenants */

  const selected = () => ui.tenants.find((t) => t.userId === ui.userId) || null;

  async function loadTenants() {
    ui.tenants = await control("GET", "/tenants");
    if (!selected()) {
      const wanted = Number(new URLSearchParams(location.hash.slice(1)).get("tenant"));
      const tenant = ui.tenants.find((t) => t.userId === wanted) || ui.tenants[0];
      if (tenant) select(tenant.userId, false);
    }
    renderTenants();
    renderSummary();
  }

  function select(userId, load = true) {
    const tenant = ui.tenants.find((t) => t.userId === userId);
    if (!tenant) return;
    ui.userId = userId;
    ui.key = tenant.keys.length ? tenant.keys[0].key : null;
    ui.entries = [];
    ui.shown = "";
    ui.open = null;
    history.replaceState(null, "", `#tenant=${userId}`);
    $("#docs-link").href = `/docs?key=${encodeURIComponent(ui.key || "")}`;
    renderJournal();
    renderEntry();
    renderTenants();
    renderSummary();
    if (load) refresh();
  }

  function renderTenants() {
    const items = ui.tenants.map((t) => {
      const minted = t.keys.some((k) => k.minted);
      const clock = t.clock ? `${t.clock.now}${t.clock.frozen ? " (frozen)" : ""}` : "—";
      const counts = t.counts || {};
      return h("li", { dataset: { userId: t.userId } },
        h("button", { type: "button", className: "tenant-card",
          "aria-current": t.userId === ui.userId ? "true" : false,
          onclick: () => select(t.userId) },
          h("span", { className: "tenant-name" }, `User ${t.userId}`,
            minted ? h("span", { className: "badge" }, "minted") : null),
          h("span", { className: "keys" }, t.keys.map((k) =>
            h("code", { title: (k.scopes || []).join(", ") }, k.key))),
          h("span", { className: "muted" }, clock),
          h("span", { className: "muted" },
            `${show(counts.orders)} orders · ${show(counts.shippingOrders)} shipping · `
            + `${show(counts.journal)} requests`),
          (t.activeScenarios || []).length
            ? h("span", { className: "scenario-names" }, t.activeScenarios.join(", "))
            : null));
    });
    $("#tenants").replaceChildren(...(items.length ? items
      : [h("li", { className: "muted" }, "No tenants.")]));
  }

  function renderSummary() {
    const tenant = selected();
    $("#tenant-title").textContent = tenant ? `User ${tenant.userId}` : "No tenant";
    $("#retire").hidden = !(tenant && tenant.keys.some((k) => k.minted));
    if (!tenant) {
      $("#tenant-summary").replaceChildren();
      return;
    }
    const key = tenant.keys[0] || {};
    const row = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];
    $("#tenant-summary").replaceChildren(
      ...row("Key", h("code", { id: "tenant-key" }, show(key.key))),
      ...row("Scopes", h("span", { title: (key.scopes || []).join(", ") },
        `${(key.scopes || []).length} scopes`)),
      ...row("Clock", h("span", { id: "tenant-clock" }, tenant.clock ? tenant.clock.now : "—"),
        tenant.clock && tenant.clock.frozen ? " (frozen)" : " (running)"),
      ...row("Scenarios", (tenant.activeScenarios || []).join(", ") || "none"),
    );
  }

  /* --------------------------------------------------------------------------- journal */

  async function pollJournal() {
    const key = ui.key;
    if (key) {
      try {
        const entries = await control("GET", "/requests", { key });
        if (key === ui.key) showJournal(entries);
        $("#live").className = "live on";
        $("#live").title = "Live";
      } catch (err) {
        $("#live").className = "live off";
        $("#live").title = `Not updating: ${err.message}`;
        if (err instanceof ControlError && err.status === 404) loadTenants().catch(() => {});
      }
    }
    setTimeout(pollJournal, document.hidden ? 4 * POLL_MS : POLL_MS);
  }

  function showJournal(entries) {
    const shown = entries.map((e) => `${e.requestId}:${e.status}`).join(",");
    if (shown === ui.shown) return;
    const before = new Set(ui.entries.map((e) => e.requestId));
    const fresh = entries.some((e) => !before.has(e.requestId));
    ui.entries = entries;
    ui.shown = shown;
    renderJournal();
    if (ui.open !== null) renderEntry();
    if (fresh) { // a new request may have changed the state, and counts one more
      loadState().catch(() => {});
      loadTenants().catch(() => {});
    }
  }

  /* "2024-01-23T12:00:00Z" as "12:00:00": the date is in the entry and the row's title. */
  function clockTime(time) {
    const match = /T(\d\d:\d\d:\d\d)/.exec(String(time));
    return match ? match[1] : show(time);
  }

  function statusClass(status) {
    if (status === null || status === undefined) return "status dropped";
    return `status s${String(status)[0]}xx`;
  }

  function queryString(query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query || {})) {
      for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  function matches(entry) {
    if (!ui.filter) return true;
    const text = `${entry.method} ${entry.path}${queryString(entry.query)} ${entry.status} `
      + `${entry.scenario || ""}`;
    return text.toLowerCase().includes(ui.filter);
  }

  function renderJournal() {
    const rows = ui.entries.filter(matches).map((e) => {
      const open = () => { ui.open = e.requestId; renderJournal(); renderEntry(); };
      return h("tr", { tabindex: "0", dataset: { requestId: e.requestId },
        "aria-selected": e.requestId === ui.open ? "true" : "false",
        onclick: open,
        onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") open(); } },
        h("td", { className: "time", title: show(e.time) }, clockTime(e.time)),
        h("td", {}, show(e.method)),
        h("td", { className: "path" }, `${show(e.path)}${queryString(e.query)}`),
        h("td", { className: statusClass(e.status) }, e.status === null ? "dropped" : show(e.status)),
        h("td", { className: "num" }, typeof e.durationMs === "number" ? e.durationMs.toFixed(1) : "—"),
        h("td", {}, e.scenario === null || e.scenario === undefined ? "" : String(e.scenario)));
    });
    $("#journal tbody").replaceChildren(...rows);
    $("#journal-empty").hidden = rows.length > 0;
  }

  function renderEntry() {
    const entry = ui.entries.find((e) => e.requestId === ui.open);
    const box = $("#entry");
    if (!entry) {
      box.replaceChildren(h("p", { className: "muted" },
        ui.open ? "That entry has left the journal." : "Open an entry to see its request and response."));
      return;
    }
    const row = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
    box.replaceChildren(
      h("h3", {}, `${show(entry.method)} ${show(entry.path)}${queryString(entry.query)}`,
        h("span", { className: statusClass(entry.status) },
          ` → ${entry.status === null ? "no response (dropped)" : show(entry.status)}`)),
      h("dl", { className: "summary" },
        ...row("Request id", show(entry.requestId)),
        ...row("Time", show(entry.time)),
        ...row("Key", show(entry.key)),
        ...row("Scenario", entry.scenario ? String(entry.scenario) : "none"),
        ...row("Duration", typeof entry.durationMs === "number" ? `${entry.durationMs} ms` : "—")),
      h("h4", {}, "Request body"),
      h("pre", { className: "body", id: "entry-request" }, pretty(entry.body)),
      h("h4", {}, "Response body"),
      h("pre", { className: "body", id: "entry-response" },
        "response" in entry ? pretty(entry.response) : "(not recorded by this sandbox)"));
  }

  /* ----------------------------------------------------------------------------- state */

  async function loadState() {
    const key = ui.key;
    if (!key) return;
    const state = await control("GET", "/state", { key });
    if (key === ui.key) renderState(state);
  }

  function table(caption, columns, rows, empty) {
    if (!rows || rows.length === 0) {
      return h("section", { className: "block" }, h("h3", {}, caption),
        h("p", { className: "muted" }, empty));
    }
    return h("section", { className: "block" }, h("h3", {}, caption),
      h("div", { className: "scroll" }, h("table", { className: "grid" },
        h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
        h("tbody", {}, rows.map((r) => h("tr", { dataset: { id: show(r.orderNo ?? r.id) } },
          columns.map((c) => h("td", { className: c.className || "" },
            c.cell ? c.cell(r) : show(r[c.field])))))))));
  }

  function advanceButton(kind, label, orderNo) {
    const path = tenantPath(kind === "order" ? "orders" : "shipping", orderNo, "advance");
    return h("button", { type: "button", className: "small",
      dataset: { advance: kind, orderNo: String(orderNo) },
      onclick: () => act(`Advance ${label} ${orderNo}`, async () => {
        const order = await control("POST", path, { data: {}, key: ui.key });
        return `${label} ${order.orderNo} is now ${order.status}.`;
      }) }, "Advance");
  }

  const badge = (status) => h("span", { className: `badge state-${String(status)}` }, show(status));

  function renderState(state) {
    const wallet = state.wallet || {};
    const transactions = [...(wallet.transactions || [])].reverse();
    const orders = state.orders || [];
    const shipping = state.shippingOrders || [];
    $("#order-numbers").replaceChildren(...orders.map((o) => h("option", { value: o.orderNo })));
    $("#shipping-numbers").replaceChildren(...shipping.map((o) => h("option", { value: o.orderNo })));
    $("#state").replaceChildren(
      h("section", { className: "block wallet" }, h("h3", {}, "Wallet"),
        h("dl", { className: "summary" },
          h("dt", {}, "Balance"), h("dd", { id: "wallet-balance" }, show(wallet.balance)),
          h("dt", {}, "Frozen"), h("dd", { id: "wallet-frozen" }, show(wallet.frozenBalance)))),
      table("Orders", [
        { label: "Order", field: "orderNo" },
        { label: "Status", cell: (o) => badge(o.status), className: "order-status" },
        { label: "Total", field: "totalAmount", className: "num" },
        { label: "Items", cell: (o) => (o.items || []).map((i) => `${i.title} ×${i.quantity}`).join(", ") },
        { label: "Updated", field: "updatedAt" },
        { label: "", cell: (o) => advanceButton("order", "Order", o.orderNo) },
      ], orders, "No orders."),
      table("Shipping orders", [
        { label: "Order", field: "orderNo" },
        { label: "Status", cell: (o) => badge(o.status), className: "order-status" },
        { label: "Channel", field: "channelName" },
        { label: "Packages", cell: (o) => (o.items || []).map((i) => `${i.inventoryId} ${i.name}`).join(", ") },
        { label: "Weight (g)", field: "totalWeight", className: "num" },
        { label: "Fee", field: "shippingFee", className: "num" },
        { label: "Tracking", field: "trackingNo" },
        { label: "Updated", field: "updatedAt" },
        { label: "", cell: (o) => advanceButton("shipping", "Shipping order", o.orderNo) },
      ], shipping, "No shipping orders."),
      table("Packages", [
        { label: "Id", field: "id" }, { label: "Order", field: "orderNo" },
        { label: "Product", field: "productName" }, { label: "Weight (g)", field: "weight", className: "num" },
        { label: "Status", cell: (p) => badge(p.status) }, { label: "Arrived", field: "arrivedAt" },
        { label: "Shipping order", field: "shippingOrderNo" },
      ], state.packages, "No packages in the warehouse."),
      table("Cart", [
        { label: "Id", field: "id" }, { label: "Product", field: "productId" },
        { label: "SKU", field: "skuId" }, { label: "Qty", field: "quantity", className: "num" },
        { label: "Selected", field: "selected" }, { label: "Remark", field: "remark" },
      ], state.cart, "The cart is empty."),
      table("Wallet transactions", [
        { label: "Id", field: "id" }, { label: "Time", field: "createdAt" },
        { label: "Type", field: "type" }, { label: "Amount", field: "amount", className: "num" },
        { label: "Balance after", field: "balanceAfter", className: "num" },
        { label: "Frozen after", field: "frozenAfter", className: "num" },
        { label: "Order", field: "orderNo" }, { label: "Description", field: "description" },
      ], transactions, "No transactions."),
    );
  }

  /* ------------------------------------------------------------------------- scenarios */

  async function loadScenarios() {
    const key = ui.key;
    if (!key) return;
    const scenarios = await control("GET", "/scenarios", { key });
    if (key !== ui.key) return;
    const active = new Set(scenarios.active);
    $("#scenarios").replaceChildren(...scenarios.known.map((s) => {
      const on = active.has(s.name);
      const verb = on ? "deactivate" : "activate";
      return h("li", { dataset: { scenario: s.name }, className: on ? "active" : "",
        title: s.description || "" },
        h("button", { type: "button", className: on ? "small on" : "small",
          "aria-pressed": on ? "true" : "false",
          onclick: () => act(`${on ? "Deactivate" : "Activate"} ${s.name}`, async () => {
            const result = await control("POST",
              `/scenarios/${encodeURIComponent(s.name)}/${verb}`, { key: ui.key });
            return `Scenario ${result.name} is ${result.active ? "active" : "inactive"} for `
              + `user ${ui.userId}.`;
          }) }, on ? "Deactivate" : "Activate"),
        h("span", { className: "scenario-name" }, s.name));
    }));
  }

  /* ------------------------------------------------------------------------- the forms */

  /* A field as the user typed it: a number when it reads as one, else the text itself, so
     the control plane (not the page) says what is wrong with it. */
  function number(raw) {
    const text = raw.trim();
    return text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
  }

  function onSubmit(selector, handler) {
    $(selector).addEventListener("submit", (event) => {
      event.preventDefault();
      handler(event.target.elements);
    });
  }

  onSubmit("#clock-form", (f) => act("Advance the clock", async () => {
    const clock = await control("POST", "/clock/advance",
      { data: { seconds: number(f.seconds.value) }, key: ui.key });
    return `The clock of user ${ui.userId} is now ${clock.now}.`;
  }));

  onSubmit("#topup-form", (f) => act("Top up", async () => {
    const wallet = await control("POST", "/wallet/topup",
      { data: { amount: number(f.amount.value) }, key: ui.key });
    return `The balance of user ${ui.userId} is now ${wallet.balance}.`;
  }));

  function advanceForm(selector, kind, label) {
    onSubmit(selector, (f) => act(`Advance ${label.toLowerCase()}`, async () => {
      const orderNo = f.orderNo.value.trim();
      const data = f.to.value ? { to: f.to.value } : {};
      if (!orderNo) throw new ControlError(0, { message: `name the ${label.toLowerCase()} to advance` });
      const order = await control("POST", tenantPath(kind, orderNo, "advance"), { data, key: ui.key });
      return `${label} ${order.orderNo} is now ${order.status}.`;
    }));
  }
  advanceForm("#order-form", "orders", "Order");
  advanceForm("#shipping-form", "shipping", "Shipping order");

  $("#reset").addEventListener("click", () => act("Reset", async () => {
    const result = await control("POST", "/reset", { key: ui.key });
    return result.message ? `${result.message} (user ${ui.userId}).` : "";
  }));

  $("#mint").addEventListener("click", () => act("Mint a key", async () => {
    const minted = await control("POST", "/keys", { data: {} });
    await loadTenants();
    select(minted.userId, false);
    return `Minted ${minted.key} for the new user ${minted.userId}.`;
  }));

  $("#retire").addEventListener("click", () => act("Retire", async () => {
    const key = ui.key;
    const userId = ui.userId;
    await control("DELETE", `/keys/${encodeURIComponent(key)}`);
    ui.userId = null;
    ui.key = null;
    await loadTenants();
    return `Retired ${key}: user ${userId} is gone.`;
  }));

  $("#clear-journal").addEventListener("click", () => act("Clear the journal", async () => {
    await control("DELETE", "/requests", { key: ui.key });
    return `The journal of user ${ui.userId} is empty.`;
  }));

  $("#journal-filter").addEventListener("input", (event) => {
    ui.filter = event.target.value.trim().toLowerCase();
    renderJournal();
  });

  /* ------------------------------------------------------------------------- refreshing */

  async function refresh() {
    const results = [(await Promise.allSettled([loadTenants()]))[0],
      ...(await Promise.allSettled([loadState(), loadScenarios()]))];
    const failed = results.find((r) => r.status === "rejected");
    if (failed && failed.reason instanceof ControlError && failed.reason.status === 401) {
      notify("error", `The control plane refused the dashboard: ${failed.reason.message}. `
        + "Reload the page and give the admin token.");
    }
    body.dataset.ready = "true";
  }

  function every(ms, load) {
    const tick = async () => {
      if (!document.hidden) await load().catch(() => {});
      setTimeout(tick, ms);
    };
    setTimeout(tick, ms);
  }

  refresh().then(() => {
    pollJournal();
    every(TENANTS_MS, loadTenants);
    every(STATE_MS, async () => { await loadState(); await loadScenarios(); });
  });
})();
