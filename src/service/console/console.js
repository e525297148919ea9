// The agent console: one page over the decision service's JSON API.
//
// Two rules hold everywhere below:
// - Text from rules, the ledger or the customer only ever reaches the page as text nodes
//   (`el` and `textContent`); no HTML is ever built from data.
// - Numbers and money go to the service exactly as typed: the request bodies are written as
//   JSON text by `json` below, so a typed `59.99` is sent as the characters `59.99`, never
//   through a binary float.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const ALL = "all";
  const STORE = window.localStorage;
  const SESSION = window.sessionStorage;
  const pageQuery = new URLSearchParams(window.location.search);
  // `?at=2026-12-01T15:00:00Z` in the address decides at that instant (training, "what will
  // the customer get next week"); without it the service decides now.
  const AT = pageQuery.get("at") || null;

  const state = {
    channels: [],
    channel: null,
    currency: null,
    lastRequest: null, // {body, channel, customer, contextText} of the decision shown
    decisionShown: false,
  };

  // ---------- DOM helpers: text only ----------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(show(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function replace(node, ...children) {
    return append(clear(node), children);
  }

  // ---------- exact JSON ----------

  // A number kept as the text it was written with.
  class Num {
    constructor(text) { this.text = text; }
    toString() { return this.text; }
  }

  // JSON text of a value; `Num` is written verbatim (it has been checked to be a JSON number).
  function json(value) {
    if (value instanceof Num) return value.text;
    if (Array.isArray(value)) return "[" + value.map(json).join(", ") + "]";
    if (value === null) return "null";
    if (typeof value === "object") {
      return "{" + Object.entries(value).map(([k, v]) => JSON.stringify(k) + ": " + json(v)).join(", ") + "}";
    }
    return JSON.stringify(value);
  }

  // Answers are read with every number kept as its source text where the browser offers it,
  // so `short_by` or a price shows exactly what the service said.
  function parseExact(text) {
    return JSON.parse(text, function (key, value, context) {
      if (typeof value === "number") {
        return new Num(context && typeof context.source === "string" ? context.source : String(value));
      }
      return value;
    });
  }

  function show(v) {
    if (v === null || v === undefined) return "";
    if (v instanceof Num) return v.text;
    if (Array.isArray(v)) return v.map(show).join(", ");
    if (typeof v === "object") return json(v);
    return String(v);
  }

  // ---------- talking to the service ----------

  // One token per browser tab: a till or an agent's screen serves one channel.
  const TOKEN_KEY = "honor.token";

  function token() {
    return SESSION.getItem(TOKEN_KEY);
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // One request; answers `{status, body}` for any HTTP answer, throws ApiError(0) when the
  // service cannot be reached. 401 and 403 also bring up the token box.
  async function api(method, path, bodyText) {
    const headers = { "Accept": "application/json" };
    if (bodyText !== undefined) headers["Content-Type"] = "application/json";
    const t = token();
    if (t) headers["Authorization"] = "Bearer " + t;
    let response;
    try {
      response = await fetch(path, { method, headers, body: bodyText, cache: "no-store" });
    } catch (e) {
      throw new ApiError(0, "unreachable", "the service did not answer: check the connection and try again");
    }
    const text = await response.text();
    let body = null;
    try { body = text ? parseExact(text) : null; } catch (e) { body = null; }
    if (response.status === 401 || response.status === 403) askForToken(response.status, body);
    return { status: response.status, body };
  }

  function errorOf(answer) {
    const e = answer.body && answer.body.error;
    return {
      code: e && e.code ? show(e.code) : "http_" + answer.status,
      message: e && e.message ? show(e.message) : "the service answered " + answer.status,
    };
  }

  async function apiOk(method, path, bodyText) {
    const answer = await api(method, path, bodyText);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const e = errorOf(answer);
    throw new ApiError(answer.status, e.code, e.message);
  }

  function withAt(params) {
    if (AT) params.set("at", AT);
    return params;
  }

  // ---------- tokens ----------

  function askForToken(status, body) {
    const form = $("token-form");
    const label = $("token-label");
    const channel = state.channel || ALL;
    const e = body && body.error && body.error.message ? " (" + show(body.error.message) + ")" : "";
    label.textContent = status === 403
      ? "This token may not be used on " + channelWords(channel) + e + ": choose your own channel, or paste the token for " + channelWords(channel)
      : state.channels.length
        ? "Paste the token for " + channelWords(channel) + e
        : "Paste the token for your channel" + e;
    form.hidden = false;
  }

  function channelWords(channel) {
    return channel === ALL ? "all channels" : "the " + channel + " channel";
  }

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    SESSION.setItem(TOKEN_KEY, value);
    $("token").value = "";
    $("token-form").hidden = true;
    start();
  });

  function announce(text) {
    $("announce").textContent = text;
  }

  // ---------- page-level errors ----------

  function pageError(message) {
    const node = $("page-error");
    node.textContent = message;
    node.hidden = !message;
  }

  // ---------- channel ----------

  function fillChannels(channels) {
    state.channels = channels;
    const select = $("channel");
    clear(select);
    for (const c of channels) select.append(el("option", { value: c, text: c }));
    select.append(el("option", { value: ALL, text: "all channels (parity)" }));
    const remembered = STORE.getItem("honor.channel");
    const choice = remembered && (remembered === ALL || channels.includes(remembered)) ? remembered : channels[0] || ALL;
    select.value = choice;
    state.channel = choice;
  }

  $("channel").addEventListener("change", () => {
    state.channel = $("channel").value;
    STORE.setItem("honor.channel", state.channel);
    $("token-form").hidden = true;
    loadOffers();
    if ($("code").value.trim()) lookUpCode();
    if (state.decisionShown) decide();
  });
  $("channel-form").addEventListener("submit", (event) => event.preventDefault());

  // ---------- the knowledge base: offers and codes ----------

  const STATE_WORDS = {
    live: "live now",
    coming: "coming soon",
    later: "starts later",
    ended: "ended",
  };

  function honoredHere(entry) {
    if (state.channel === ALL) return null;
    if (typeof entry.honored_here === "boolean") return entry.honored_here;
    return Array.isArray(entry.honored_on) ? entry.honored_on.includes(state.channel) : null;
  }

  function offerCard(entry, extra) {
    const here = honoredHere(entry);
    const statusText = here === false ? "Not honored here" : STATE_WORDS[entry.state] || show(entry.state);
    const card = el("li", { class: "card " + (here === false ? "s-not_honored" : entry.state === "live" ? "s-eligible" : "s-unknown"), "data-offer": entry.id },
      el("header", null,
        el("h3", { text: entry.title }),
        el("span", { class: "status", text: statusText }),
        el("code", { class: "muted", text: entry.id })));
    if (here === false) {
      card.append(el("p", { class: "say" },
        el("strong", { text: "Not honored here — tell the customer" }),
        entry.elsewhere ? entry.elsewhere : "This offer is not honored on " + state.channel + "."));
    } else if (entry.note) {
      card.append(el("p", { class: "say" }, el("strong", { text: "Say and do" }), entry.note));
    }
    const facts = el("dl", { class: "kv" });
    const fact = (name, value) => {
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) return;
      const many = Array.isArray(value) && value.length > 1 && name !== "Honored on" && name !== "Announced by";
      facts.append(el("dt", { text: name }), el("dd", null,
        many ? el("ul", null, value.map((v) => el("li", { text: show(v) }))) : Array.isArray(value) ? value.map(show).join(", ") : value));
    };
    fact("Honored on", entry.honored_on);
    fact("Benefit", entry.benefit);
    fact("Code", entry.code);
    fact("Proofs to ask for", entry.proofs);
    fact("Who qualifies", entry.conditions);
    fact("Limit", entry.limit);
    fact("Budget", entry.budget);
    fact("Combining", entry.combination);
    fact("Valid", entry.window);
    fact("Time left", entry.time_left);
    fact("Announced by", entry.announce);
    if (here !== false && entry.elsewhere) fact("Elsewhere", entry.elsewhere);
    card.append(facts);
    if (extra) card.append(extra);
    return card;
  }

  async function loadOffers() {
    const target = $("offers");
    const channel = state.channel;
    const params = withAt(new URLSearchParams());
    if (state.channel && state.channel !== ALL) params.set("channel", state.channel);
    $("offers-h").textContent = state.channel === ALL ? "Live offers on every channel" : "Live offers on " + state.channel;
    try {
      const listing = await apiOk("GET", "/v1/offers?" + params.toString());
      if (channel !== state.channel) return; // the agent chose another channel meanwhile
      const live = listing.live || [];
      const coming = listing.coming || [];
      const parts = [];
      parts.push(live.length
        ? el("ul", { class: "cards" }, live.map((e) => offerCard(e)))
        : el("p", { class: "muted", text: "No offer is live at the moment." }));
      if (coming.length) {
        parts.push(el("h3", { class: "channel-block", text: "Coming soon" }),
          el("ul", { class: "cards" }, coming.map((e) => offerCard(e))));
      }
      replace(target, parts);
      target.setAttribute("data-channel", channel);
    } catch (e) {
      replace(target, el("p", { class: "error", text: "Could not load the offers: " + e.message }));
    }
  }

  async function lookUpCode() {
    const target = $("code-result");
    const code = $("code").value;
    if (!code.trim()) {
      replace(target, el("p", { class: "error", text: "Type the code the customer reads out." }));
      return;
    }
    const params = withAt(new URLSearchParams({ code }));
    if (state.channel && state.channel !== ALL) params.set("channel", state.channel);
    replace(target, el("p", { class: "muted", text: "Looking up…" }));
    try {
      const answer = await api("GET", "/v1/offers?" + params.toString());
      if (answer.status === 404) {
        replace(target, el("p", { class: "error" }, "No offer has the code “", code.trim(), "”. Ask the customer to read it again, letter by letter."));
        announce("No offer has this code.");
        return;
      }
      if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, "", errorOf(answer).message);
      const listing = answer.body || {};
      const entries = [].concat(listing.live || [], listing.coming || [], listing.other || []);
      if (!entries.length) {
        replace(target, el("p", { class: "error" }, "No offer has the code “", code.trim(), "”."));
        return;
      }
      announce(entries.length === 1 ? "Found: " + show(entries[0].title) : "Found " + entries.length + " offers with this code");
      replace(target, el("ul", { class: "cards" }, entries.map((entry) => {
        const add = entry.code
          ? el("button", { type: "button", class: "secondary", onclick: () => addCode(entry.code) }, "Add the code to the customer")
          : null;
        const card = offerCard(entry, add);
        if (entry.state !== "live") {
          card.insertBefore(el("p", { class: "status", text: "Not live: " + (entry.time_left || STATE_WORDS[entry.state] || show(entry.state)) }), card.children[1]);
        }
        return card;
      })));
    } catch (e) {
      replace(target, el("p", { class: "error", text: "Could not look the code up: " + e.message }));
    }
  }

  function addCode(code) {
    const input = $("f-codes");
    if (!input) return;
    const codes = splitList(input.value);
    if (!codes.some((c) => c.trim().toLowerCase() === show(code).trim().toLowerCase())) codes.push(show(code));
    input.value = codes.join(", ");
    input.focus();
  }

  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    lookUpCode();
  });

  // ---------- the customer form, made from the schema ----------

  // A schema entry's type as words: "number", "list of money"...
  function typeOf(field) {
    const t = field.type !== undefined ? field.type : field.ty;
    return typeof t === "string" ? t.trim() : show(t);
  }

  function schemaFields(schema) {
    if (Array.isArray(schema)) return schema;
    if (Array.isArray(schema.fields)) return schema.fields;
    if (schema.fields && typeof schema.fields === "object") {
      return Object.entries(schema.fields).map(([path, type]) => ({ path, type }));
    }
    return [];
  }

  const NUMBER = /^-?\d+(\.\d+)?$/;
  const CURRENCY = /^[A-Za-z]{3}$/;
  const DATE = /^\d{4}-\d{2}-\d{2}$/;

  // A typed number as JSON number text: leading zeros dropped, digits otherwise untouched.
  function numberText(raw) {
    const text = raw.trim().replace(/^(-?)0+(?=\d)/, "$1");
    return NUMBER.test(text) ? text : null;
  }

  function splitList(text) {
    return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }

  const TYPE_HINTS = {
    text: "text",
    number: "number, e.g. 12 or 12.5",
    money: "amount and currency, e.g. 130.00 USD",
    date: "date",
    datetime: "date and time (your local time)",
    bool: "yes or no",
  };

  function fieldId(path) { return "f-" + path; }

  function buildForm(schema) {
    const target = $("schema-fields");
    clear(target);
    const fields = schemaFields(schema);
    for (const field of fields) {
      const path = show(field.path !== undefined ? field.path : field.name);
      const type = typeOf(field);
      target.append(fieldControl(path, type, field));
    }
    if (!fields.length) target.append(el("p", { class: "muted", text: "The rule set declares no customer fields." }));
    updateRedeemedField();
  }

  function fieldControl(path, type, field) {
    const id = fieldId(path);
    const list = type.startsWith("list of ") ? type.slice(8) : null;
    const base = list || type;
    const hintId = id + "-hint";
    const errorId = id + "-error";
    const hint = list
      ? "list of " + (TYPE_HINTS[base] || base) + ", separated by commas"
      : TYPE_HINTS[base] || base;
    const wrapper = el("div", { class: "field", "data-path": path, "data-type": type });
    const described = hintId + " " + errorId;
    let control;
    if (!list && base === "money") {
      control = el("div", { class: "pair" },
        el("input", { id, name: path, inputmode: "decimal", autocomplete: "off", "aria-describedby": described, placeholder: "130.00" }),
        el("input", { id: id + "-currency", name: path + ".currency", autocomplete: "off", spellcheck: "false", maxlength: "3",
          "aria-label": path + " currency", value: state.currency || "", placeholder: "USD" }));
    } else if (!list && base === "bool") {
      control = el("select", { id, name: path, "aria-describedby": described },
        el("option", { value: "", text: "not given" }),
        el("option", { value: "true", text: "yes" }),
        el("option", { value: "false", text: "no" }));
    } else if (!list && base === "date") {
      control = el("input", { id, name: path, type: "date", "aria-describedby": described });
    } else if (!list && base === "datetime") {
      control = el("input", { id, name: path, type: "datetime-local", step: "1", "aria-describedby": described });
    } else {
      control = el("input", { id, name: path, autocomplete: "off", spellcheck: "false", "aria-describedby": described,
        inputmode: !list && base === "number" ? "decimal" : null });
    }
    wrapper.append(
      el("label", { for: id }, path, " ", el("span", { class: "type", text: "(" + type + ")" })),
      el("span", { class: "hint", id: hintId, text: field && field.description ? show(field.description) + " — " + hint : hint }),
      control);
    if (list) {
      wrapper.append(el("label", { class: "check" },
        el("input", { type: "checkbox", id: id + "-empty", "aria-describedby": hintId }),
        "known to be empty (send an empty list)"));
    }
    wrapper.append(el("p", { class: "error", id: errorId, hidden: true }));
    return wrapper;
  }

  // `redeemed` comes from the ledger whenever a customer id is given.
  function updateRedeemedField() {
    const input = $("f-redeemed");
    if (!input) return;
    const fromLedger = $("customer-id").value.trim() !== "";
    input.disabled = fromLedger;
    const empty = $("f-redeemed-empty");
    if (empty) empty.disabled = fromLedger;
    const hint = $("f-redeemed-hint");
    if (hint) {
      hint.textContent = fromLedger
        ? "comes from the ledger for this customer id"
        : "offer ids the customer already redeemed, separated by commas";
    }
  }
  $("customer-id").addEventListener("input", updateRedeemedField);

  // One field's value for the context, or undefined when left empty; throws a message.
  function readValue(base, raw, path, currencyInput) {
    const text = raw.trim();
    switch (base) {
      case "number": {
        const n = numberText(text);
        if (n === null) throw "enter a number like 12 or 12.5 (a point for decimals, no spaces or thousands separators), not `" + text + "`";
        return new Num(n);
      }
      case "money": {
        let amount = text;
        let currency = currencyInput ? currencyInput.value.trim() : "";
        const both = /^(\S+)\s+([A-Za-z]{3})$/.exec(text);
        if (both) { amount = both[1]; currency = both[2]; }
        const n = numberText(amount);
        if (n === null) throw "enter an amount like 130.00, not `" + amount + "`";
        if (!CURRENCY.test(currency)) throw "enter the currency of " + path + " as a three-letter code such as USD";
        return n + " " + currency.toUpperCase();
      }
      case "date":
        if (!DATE.test(text)) throw "enter a date like 2026-12-01, not `" + text + "`";
        return text;
      case "datetime": {
        if (/(Z|[+-]\d{2}:\d{2})$/i.test(text)) return text;
        const instant = new Date(text);
        if (Number.isNaN(instant.getTime())) throw "enter a date and time, not `" + text + "`";
        return instant.toISOString();
      }
      case "bool":
        if (text === "true" || text === "yes") return true;
        if (text === "false" || text === "no") return false;
        throw "choose yes or no";
      default:
        return text;
    }
  }

  // The context from the form as a nested object; marks each bad field and throws when any is.
  function contextFromForm() {
    const context = {};
    let firstBad = null;
    for (const wrapper of $("schema-fields").querySelectorAll(".field")) {
      const path = wrapper.getAttribute("data-path");
      const type = wrapper.getAttribute("data-type");
      const input = $(fieldId(path));
      const error = $(fieldId(path) + "-error");
      input.removeAttribute("aria-invalid");
      error.hidden = true;
      if (input.disabled) continue;
      const list = type.startsWith("list of ") ? type.slice(8) : null;
      let value;
      try {
        if (list) {
          const empty = $(fieldId(path) + "-empty");
          const entries = splitList(input.value);
          if (entries.length) value = entries.map((entry) => readValue(list, entry, path, null));
          else if (empty && empty.checked) value = [];
        } else if (input.value.trim() !== "") {
          value = readValue(type, input.value, path, $(fieldId(path) + "-currency"));
        }
      } catch (message) {
        input.setAttribute("aria-invalid", "true");
        error.textContent = path + ": " + message;
        error.hidden = false;
        firstBad = firstBad || input;
        continue;
      }
      if (value !== undefined) setPath(context, path, value);
    }
    if (firstBad) {
      firstBad.focus();
      throw new Error("some fields need fixing: see the messages under them");
    }
    return context;
  }

  function setPath(target, path, value) {
    const parts = path.split(".");
    let node = target;
    for (const part of parts.slice(0, -1)) {
      if (!node[part] || typeof node[part] !== "object" || Array.isArray(node[part]) || node[part] instanceof Num) node[part] = {};
      node = node[part];
    }
    node[parts[parts.length - 1]] = value;
  }

  // The context as JSON text: the pasted one verbatim, else the form's.
  function contextText() {
    const pasted = $("context-json").value.trim();
    if (pasted) {
      let parsed;
      try { parsed = JSON.parse(pasted); } catch (e) {
        throw new Error("the pasted context is not valid JSON: " + e.message);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error("the pasted context must be a JSON object like {\"customer\": {…}}");
      }
      return pasted;
    }
    const context = contextFromForm();
    const money = $("schema-fields").querySelector("input[id$='-currency']");
    if (money && CURRENCY.test(money.value.trim())) STORE.setItem("honor.currency", money.value.trim().toUpperCase());
    return json(context);
  }

  // ---------- deciding ----------

  function formError(message) {
    const node = $("form-error");
    node.textContent = message || "";
    node.hidden = !message;
  }

  async function decide() {
    formError("");
    let ctx;
    try {
      ctx = contextText();
    } catch (e) {
      formError(e.message);
      return;
    }
    const customer = $("customer-id").value.trim();
    const channel = state.channel || ALL;
    const parts = ["\"context\": " + ctx, "\"channel\": " + JSON.stringify(channel)];
    if (customer) parts.push("\"customer\": " + JSON.stringify(customer));
    if (AT) parts.push("\"at\": " + JSON.stringify(AT));
    const body = "{" + parts.join(", ") + "}";
    state.lastRequest = { body, channel, customer, contextText: ctx };
    await showDecision();
  }

  async function showDecision() {
    const request = state.lastRequest;
    if (!request) return;
    const target = $("decision-body");
    const button = $("decide");
    button.disabled = true;
    try {
      const answer = await api("POST", "/v1/decide", request.body);
      if (answer.status < 200 || answer.status >= 300) {
        const e = errorOf(answer);
        replace(target, el("p", { class: "error", role: "alert" }, "The service could not decide: ", e.message));
        markField(answer.body && answer.body.error && answer.body.error.path, e.message);
        state.decisionShown = false;
        return;
      }
      state.decisionShown = true;
      replace(target, renderAnswer(answer.body, request));
      announce(summary(answer.body));
      showCustomerLedger(request.customer);
    } catch (e) {
      replace(target, el("p", { class: "error", role: "alert", text: "The service could not decide: " + e.message }));
    } finally {
      button.disabled = false;
    }
  }

  // The service names the context field at fault: point at it in the form.
  function markField(path, message) {
    if (!path || $("context-json").value.trim()) return;
    const input = $(fieldId(show(path)));
    const error = $(fieldId(show(path)) + "-error");
    if (!input || !error) return;
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    error.hidden = false;
  }

  // Ctrl+Enter in the pasted context decides (Enter alone starts a new line there).
  $("context-json").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("customer-form").requestSubmit();
    }
  });

  $("customer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide().then(() => {
      if (window.matchMedia("(max-width: 959px)").matches) $("decision-h").focus();
    });
  });
  $("customer-form").addEventListener("reset", () => {
    formError("");
    window.setTimeout(() => {
      for (const node of $("schema-fields").querySelectorAll(".error")) node.hidden = true;
      for (const node of $("schema-fields").querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
      for (const node of $("schema-fields").querySelectorAll("input[id$='-currency']")) node.value = state.currency || "";
      updateRedeemedField();
    });
  });

  const STATUS_WORDS = {
    eligible: "Eligible",
    ineligible: "Not eligible",
    unknown: "Need to know more",
    not_honored: "Not honored here",
  };

  function statusWords(status) {
    return STATUS_WORDS[status] || show(status);
  }

  // "Decision on store: 2 eligible, 1 not eligible, 1 not honored here; the customer pays 0.00 USD."
  function summary(answer) {
    if (answer && answer.decisions) {
      return "Decision on every channel: " + (answer.parity && answer.parity.same ? "they agree" : "they differ") + ".";
    }
    const counts = {};
    for (const offer of (answer && answer.offers) || []) {
      const words = statusWords(show(offer.status)).toLowerCase();
      counts[words] = (counts[words] || 0) + 1;
    }
    const parts = Object.entries(counts).map(([words, n]) => n + " " + words);
    const pays = answer && answer.quote ? "; the customer pays " + show(answer.quote.final) : "";
    return "Decision on " + show(answer && answer.channel) + ": " + parts.join(", ") + pays + ".";
  }

  function renderAnswer(answer, request) {
    if (answer && answer.decisions) return renderAllChannels(answer);
    return renderDecision(answer, request, true);
  }

  function renderAllChannels(answer) {
    const out = [];
    const parity = answer.parity || {};
    const diffs = parity.differences || [];
    out.push(el("div", { class: "quote" },
      el("p", { class: "final", text: parity.same ? "Parity: every channel that honors an offer gives the same answer" : "Parity: channels disagree" }),
      diffs.length ? el("ul", null, diffs.map((d) => el("li", null, differenceWords(d)))) : null));
    const decisions = answer.decisions;
    const entries = Array.isArray(decisions) ? decisions.map((d) => [d.channel, d]) : Object.entries(decisions);
    for (const [channel, decision] of entries) {
      out.push(el("section", { class: "channel-block", "data-channel": channel },
        el("h3", { text: "On " + channel }),
        renderDecision(decision, null, false)));
    }
    return out;
  }

  function differenceWords(d) {
    switch (d.kind) {
      case "disagreement":
        return show(d.offer) + ": the channels " + show(d.channels) + " disagree";
      case "not_honored":
        return show(d.offer) + ": not honored on " + show(d.not_honored_on) + " (honored on " + show(d.honored_on) + ")" +
          (d.elsewhere ? " — tell the customer: " + show(d.elsewhere) : "");
      case "declared":
        return show(d.offer) + ": declared difference on " + show(d.channel) +
          (d.note ? ": note “" + show(d.note) + "”" : "") + (d.fee ? ", fee " + show(d.fee) : "");
      default:
        return show(d.offer) + ": " + show(d.kind);
    }
  }

  function renderDecision(decision, request, actions) {
    const wrap = el("div", { class: "decision", "data-channel": decision.channel });
    wrap.append(el("p", { class: "muted" },
      "On ", show(decision.channel), " at ", show(decision.at), request && request.customer ? " for customer " + request.customer : ""));
    wrap.append(renderQuote(decision.quote));
    const offers = decision.offers || [];
    wrap.append(el("ul", { class: "cards" }, offers.map((offer) => renderOffer(offer, decision, request, actions))));
    return wrap;
  }

  function renderQuote(quote) {
    if (!quote) {
      return el("div", { class: "quote" }, el("p", { class: "muted", text: "No quote: give the price of what the customer is buying to get one." }));
    }
    const applied = quote.applied || [];
    return el("div", { class: "quote", id: "quote" },
      el("p", null, "List price ", el("span", { class: "mono", text: show(quote.list) })),
      el("p", { class: "final" }, "Customer pays ", el("span", { class: "mono", "data-final": "", text: show(quote.final) })),
      applied.length ? el("p", null, "Applied: ", applied.map(show).join(", ")) : el("p", { class: "muted", text: "No offer changes the price." }),
      (quote.explanation || []).length
        ? el("ol", { class: "steps" }, quote.explanation.map((step) => el("li", { text: show(step) })))
        : null);
  }

  function renderOffer(offer, decision, request, actions) {
    const status = show(offer.status);
    const card = el("li", { class: "card s-" + status, "data-offer": show(offer.id), "data-status": status },
      el("header", null,
        el("h3", { text: show(offer.title) }),
        el("span", { class: "status", text: statusWords(status) }),
        el("code", { class: "muted", text: show(offer.id) })));
    if (status === "eligible") {
      if (offer.note) card.append(el("p", { class: "say" }, el("strong", { text: "Say and do" }), show(offer.note)));
      if (offer.price) card.append(el("p", null, "Price with this offer alone: ", el("span", { class: "mono", text: show(offer.price) })));
    } else if (status === "not_honored") {
      card.append(el("p", { class: "say" },
        el("strong", { text: "Not honored here — tell the customer" }),
        offer.elsewhere ? show(offer.elsewhere) : "This offer is not honored on " + show(decision.channel) + "."));
      const where = offer.honored_on && offer.honored_on.length ? show(offer.honored_on) : null;
      if (where) {
        const would = offer.eligibility ? " — there the customer would be: " + statusWords(show(offer.eligibility)).toLowerCase() : "";
        card.append(el("p", null, "Honored on " + where + would));
      }
    }
    const reasons = (offer.clauses || []).filter((c) => c.result !== "pass");
    if (status !== "eligible" && reasons.length) {
      card.append(el("p", { class: "reason" }, el("strong", { text: "Why: " }), reasons.map((c) => show(c.detail)).join("; ")));
    }
    if (offer.missing && offer.missing.length) {
      card.append(el("p", { class: "ask" }, el("strong", { text: "Ask the customer for: " }), show(offer.missing)));
    }
    const needs = Array.isArray(offer.needs) ? offer.needs : [];
    if (needs.length) {
      card.append(el("div", { class: "needs" }, el("strong", { text: "What would it take:" }), el("ul", null, needs.map(needWords))));
    }
    if (offer.eligible_from) {
      card.append(el("p", null, el("strong", { text: "Eligible from: " }), show(offer.eligible_from), localTime(offer.eligible_from)));
    }
    if (offer.final === true && status !== "eligible") {
      card.append(el("p", null, "This will not change for this customer with time."));
    }
    if (offer.fee) card.append(el("p", null, "Fee on this channel: ", show(offer.fee)));
    if ((offer.clauses || []).length) {
      card.append(el("details", { class: "clauses" },
        el("summary", { text: "Every check (" + offer.clauses.length + ")" }),
        el("ul", null, offer.clauses.map((c) => el("li", { class: "r-" + show(c.result) },
          show(c.clause), c.label ? " “" + show(c.label) + "”" : "", ": ", show(c.result), " — ", show(c.detail))))));
    }
    if (actions && status === "eligible") card.append(redeemControls(offer, decision, request));
    return card;
  }

  // An instant in the agent's own time, after the UTC one the service gives.
  function localTime(instant) {
    const local = new Date(show(instant));
    return Number.isNaN(local.getTime()) ? "" : " (" + local.toLocaleString() + " here)";
  }

  function needWords(need) {
    switch (need.clause) {
      case "valid":
        return el("li", null, "the offer starts ", show(need.from), localTime(need.from));
      case "code":
        return el("li", null, "the code “", show(need.code), "”");
      case "proof":
        return el("li", null, "proof: ", show(need.proof));
      case "limit":
        return el("li", null, "know the customer's past redemptions (", show(need.missing || "redeemed"), ")");
      case "budget":
        return el("li", null, "the offer's budget can only be counted with a ledger (", show(need.missing || "ledger"), ")");
      case "when":
        return el("li", null, need.label ? "“" + show(need.label) + "”: " : "", residualNode(need.residual));
      default:
        return el("li", null, show(need.clause), need.residual ? residualNode(need.residual) : "");
    }
  }

  function residualNode(r) {
    if (!r || typeof r !== "object") return show(r);
    if (Array.isArray(r.all)) return el("span", null, "all of:", el("ul", null, r.all.map((c) => el("li", null, residualNode(c)))));
    if (Array.isArray(r.any)) return el("span", null, "one of:", el("ul", null, r.any.map((c) => el("li", null, residualNode(c)))));
    const bits = [];
    const now = r.now && typeof r.now === "object" ? Object.entries(r.now) : [];
    if (now.length) bits.push("now " + now.map(([k, v]) => (now.length > 1 ? k + " is " : "") + (v === null ? "not given" : show(v))).join(", "));
    if (r.short_by !== undefined) bits.push("short by " + show(r.short_by));
    if (r.over_by !== undefined) bits.push("over by " + show(r.over_by));
    return el("span", null, el("code", { text: show(r.test) }), bits.length ? " (" + bits.join(", ") + ")" : "");
  }

  // ---------- redeeming ----------

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // Pages served over plain HTTP to another machine have no randomUUID: same v4 layout.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function redeemControls(offer, decision, request) {
    const box = el("div", { class: "row redeem" });
    if (!request || !request.customer) {
      box.append(el("p", { class: "muted", text: "Enter a customer id to redeem this offer." }));
      return box;
    }
    // The key lives until the ledger answers: a retry after a lost answer reuses it, so it
    // records at most once; every new click after an answer gets a new key.
    let pendingKey = null;
    const button = el("button", { type: "button", class: "redeem-button", "data-offer": show(offer.id) }, "Redeem " + show(offer.id));
    button.addEventListener("click", async () => {
      if (button.disabled) return;
      button.disabled = true;
      const key = pendingKey || newKey();
      pendingKey = key;
      const parts = [
        "\"key\": " + JSON.stringify(key),
        "\"customer\": " + JSON.stringify(request.customer),
        "\"offer\": " + JSON.stringify(show(offer.id)),
        "\"channel\": " + JSON.stringify(show(decision.channel)),
        "\"context\": " + request.contextText,
      ];
      if (AT) parts.push("\"at\": " + JSON.stringify(AT));
      let answer;
      try {
        answer = await api("POST", "/v1/redemptions", "{" + parts.join(", ") + "}");
      } catch (e) {
        button.disabled = false;
        button.textContent = "Try again (records at most once)";
        ledgerNote("refused", show(offer.id) + ": no answer from the ledger — " + e.message, null);
        return;
      }
      pendingKey = null;
      button.textContent = "Redeem " + show(offer.id);
      button.disabled = false;
      recordAnswer(answer, offer, request);
    });
    box.append(button);
    return box;
  }

  const REFUSALS = {
    limit_reached: "Not recorded — limit reached",
    budget_exhausted: "Not recorded — budget exhausted",
    not_eligible: "Not recorded — not eligible",
    key_reused: "Not recorded — this request key was already used for something else",
  };

  function recordAnswer(answer, offer, request) {
    if (answer.status === 200 || answer.status === 201) {
      const r = (answer.body && answer.body.redemption) || {};
      const key = show(r.key);
      const undo = el("button", { type: "button", class: "secondary undo-button", "data-key": key }, "Undo");
      const note = ledgerNote("recorded",
        (answer.status === 201 ? "Recorded: " : "Already recorded: ") + show(r.offer || offer.id) + " for " + show(r.customer || request.customer) +
        " on " + show(r.channel) + " at " + show(r.at) + ".", undo);
      undo.addEventListener("click", () => reverse(key, note, undo));
      showDecision();
      return;
    }
    const e = errorOf(answer);
    const head = REFUSALS[e.code] || "Not recorded";
    ledgerNote("refused", head + ": " + show(offer.id) + " — " + e.message, null, e.code);
  }

  async function reverse(key, note, button) {
    button.disabled = true;
    try {
      const answer = await api("DELETE", "/v1/redemptions/" + encodeURIComponent(key));
      if (answer.status >= 200 && answer.status < 300) {
        note.className = "ledger";
        note.setAttribute("data-state", "reversed");
        button.remove();
        note.append(el("span", { class: "status", text: " Undone: reversed in the ledger, no longer counted." }));
        showDecision();
        return;
      }
      button.disabled = false;
      note.append(el("span", { class: "error", text: " Could not undo: " + errorOf(answer).message }));
    } catch (e) {
      button.disabled = false;
      note.append(el("span", { class: "error", text: " Could not undo: " + e.message }));
    }
  }

  function ledgerNote(kind, text, button, code) {
    announce(text);
    const note = el("p", { class: "ledger " + kind, "data-state": kind, "data-code": code || null }, text, " ");
    if (button) note.append(button);
    $("ledger-log").prepend(note);
    return note;
  }

  // The customer's entries in the ledger, newest first, each counted one with an Undo (an
  // order cancelled after the visit is reversed the same way).
  async function showCustomerLedger(customer) {
    const target = $("customer-ledger");
    if (!customer) {
      clear(target);
      return;
    }
    let answer;
    try {
      answer = await api("GET", "/v1/customers/" + encodeURIComponent(customer) + "/redemptions");
    } catch (e) {
      replace(target, el("p", { class: "error", text: "Could not read the ledger: " + e.message }));
      return;
    }
    if (answer.status === 503 || answer.status === 404) {
      clear(target);
      return;
    }
    if (answer.status < 200 || answer.status >= 300) {
      replace(target, el("p", { class: "error", text: "Could not read the ledger: " + errorOf(answer).message }));
      return;
    }
    const entries = ((answer.body && answer.body.redemptions) || []).slice().reverse();
    const heading = el("h3", null, "In the ledger for ", customer);
    if (!entries.length) {
      replace(target, heading, el("p", { class: "muted", text: "No redemption recorded for this customer." }));
      return;
    }
    const older = answer.body && answer.body.complete === false
      ? el("p", { class: "muted", text: "Only the most recent entries are listed; older ones were left out." })
      : null;
    replace(target, heading, older, el("ul", { class: "entries" }, entries.map((entry) => {
      const reversed = entry.reversed !== null && entry.reversed !== undefined;
      const item = el("li", { "data-key": show(entry.key), "data-state": reversed ? "reversed" : "counted" },
        show(entry.offer), " on ", show(entry.channel), " at ", show(entry.at), " — ",
        reversed ? "reversed " + show(entry.reversed) + ", not counted" : "counted", " ");
      if (!reversed) {
        const undo = el("button", { type: "button", class: "secondary" }, "Undo");
        undo.addEventListener("click", () => reverse(show(entry.key), item, undo));
        item.append(undo);
      }
      return item;
    })));
  }

  // ---------- start ----------

  async function start() {
    pageError("");
    try {
      const health = await apiOk("GET", "/v1/health");
      const bits = ["rules " + show(health.rules), show(health.offers) + " offers", "ledger " + show(health.ledger)];
      if (AT) bits.push("deciding at " + AT + " (set in the address)");
      $("rules-line").textContent = bits.join(" · ");
      if (health.reload_error) pageError("The latest rule change was not loaded; still serving the previous rules: " + show(health.reload_error));
      const schema = await apiOk("GET", "/v1/schema");
      state.currency = (schema.currency && show(schema.currency)) || STORE.getItem("honor.currency") || "";
      const channels = (schema.channels || health.channels || []).map(show);
      fillChannels(channels);
      buildForm(schema);
      loadOffers();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) pageError("The console cannot reach the decision service: " + e.message);
    }
  }

  document.documentElement.setAttribute("data-ready", "loading");
  start().then(() => document.documentElement.setAttribute("data-ready", "yes"));
})();
