/* Baton's console: what a support lead watches. Plain JavaScript, no build step, nothing loaded from elsewhere.
 *
 * Sign-in:
 * - locally (`baton local`, no config.json beside this page): the API is this page's own origin and the token
 *   comes from a one-time sign-in link (`/console/#signin=...`, the URL `baton local` and `baton console` print:
 *   the page trades the code for the token with POST /console/signin), or pasted; the page keeps it in this tab's
 *   sessionStorage and takes it out of the address bar at once;
 * - deployed (config.json: apiUrl, cognitoDomain, clientId, redirectUri): Cognito's hosted UI, authorization
 *   code with PKCE (S256); the tokens live in this tab's sessionStorage until they expire or the user signs out.
 *
 * Views (the address's hash): `#conversations` (the live list), `#conversation=<id>`, `#kpis`.
 * Every text from the API goes into the page as text (textContent), never as markup.
 */
(function () {
  "use strict";

  var REFRESH_MS = 2000;
  var KPI_REFRESH_MS = 30000;
  var PAGE_SIZE = 50;
  var KEYS = {
    token: "baton.token",
    expiresAt: "baton.expiresAt",
    verifier: "baton.pkce.verifier",
    state: "baton.pkce.state",
    returnTo: "baton.returnTo",
  };
  var CONFIG_KEYS = ["apiUrl", "cognitoDomain", "clientId", "redirectUri"];
  var LABELS = {
    false_escalation: "False escalation",
    missed_escalation: "Missed escalation",
    true_escalation: "Needed a person (true escalation)",
    contained: "Contained by the bot",
    unknown: "Unknown",
  };
  var COLORS = { risk: "#b03a2e", frustration: "#d68910", sentiment: "#1f618d", volume: "#7f8c8d" };

  var session = { mode: "local", config: null, apiBase: "" };
  var list = { filter: "", rows: [], more: [], cursor: null, busy: false, shown: "" };
  var detail = { id: null, shown: "", chart: null, busy: false };
  var kpis = { fetchedAt: 0, data: null, chart: null, busy: false, query: "" };

  // -- small DOM helpers ---------------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  /* h("td", {class: "x"}, "text", child...): an element; strings become text nodes (never markup). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "class") el.className = value;
        else if (name === "text") el.textContent = value;
        else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
        else el.setAttribute(name, value === true ? "" : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (child instanceof NodeList || child instanceof HTMLCollection) child = Array.from(child);
    if (Array.isArray(child))
      child.forEach(function (c) {
        append(el, c);
      });
    else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function fill(el, children) {
    el.replaceChildren();
    append(el, children);
  }

  function show(el, visible) {
    el.hidden = !visible;
  }

  // -- formatting ----------------------------------------------------------------------------------------------

  function num(value, digits) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(digits === undefined ? 2 : digits);
  }

  function pct(rate) {
    if (rate === null || rate === undefined) return "—";
    var p = rate * 100;
    return (p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)) + "%";
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 90) return Math.round(seconds) + " s";
    if (seconds < 5400) return (seconds / 60).toFixed(1) + " min";
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h";
    return (seconds / 86400).toFixed(1) + " days";
  }

  var timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  function when(iso) {
    if (!iso) return "—";
    var at = new Date(iso);
    return h("time", { datetime: iso, title: iso }, isNaN(at) ? iso : timeFormat.format(at));
  }

  function plural(n, one, many) {
    n = n || 0;
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  /* A conversation id in a URL: ids are [A-Za-z0-9._:-] (`zendesk:123`), and `:` stays as it is: the API routes on
     the raw path. */
  function idInUrl(id) {
    return encodeURIComponent(id).replace(/%3A/gi, ":");
  }

  function humanize(code) {
    return code ? String(code).replace(/_/g, " ") : "—";
  }

  function badge(kind, text) {
    return h("span", { class: "badge " + kind + "-" + String(text).replace(/[^a-z_]/gi, "") }, humanize(text));
  }

  function riskCell(risk) {
    if (risk === null || risk === undefined) return "—";
    return h(
      "span",
      { class: "risk" },
      h("meter", { min: 0, max: 1, low: 0.4, high: 0.7, optimum: 0, value: risk, "aria-hidden": "true" }),
      " " + num(risk)
    );
  }

  function definitions(pairs) {
    var dl = h("dl", { class: "facts" });
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === "") return;
      dl.appendChild(h("div", null, h("dt", null, pair[0]), h("dd", null, pair[1])));
    });
    return dl;
  }

  function table(caption, headers, rows, cls) {
    return h(
      "table",
      { class: cls || "list" },
      caption ? h("caption", null, caption) : null,
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          headers.map(function (t) {
            return h("th", { scope: "col" }, t);
          })
        )
      ),
      h(
        "tbody",
        null,
        rows.map(function (cells) {
          return h(
            "tr",
            null,
            cells.map(function (c) {
              return h("td", null, c);
            })
          );
        })
      )
    );
  }

  // -- notices -------------------------------------------------------------------------------------------------

  function notify(message, kind) {
    var el = $("notice");
    if (!message) {
      show(el, false);
      el.textContent = "";
      return;
    }
    el.className = "notice " + (kind || "error");
    el.textContent = message;
    show(el, true);
  }

  // -- sign-in -------------------------------------------------------------------------------------------------

  function AuthNeeded(message) {
    this.message = message;
  }

  function b64url(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(size) {
    var bytes = new Uint8Array(size);
    crypto.getRandomValues(bytes);
    return b64url(bytes);
  }

  function challengeOf(verifier) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
      return b64url(new Uint8Array(digest));
    });
  }

  function loadConfig() {
    return fetch("config.json", { cache: "no-store" }).then(function (response) {
      if (response.status === 404) return null; // `baton local`: this origin is the API
      if (!response.ok) throw new Error("config.json answered " + response.status);
      return response.json().then(function (config) {
        var missing = CONFIG_KEYS.filter(function (key) {
          return !config || !config[key];
        });
        if (missing.length) throw new Error("config.json lacks " + missing.join(", "));
        return config;
      });
    });
  }

  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }

  /* Locally: `#signin=<one-time code>` (or a pasted `#token=...`) out of the address bar (and its history entry) at
     once; the code is traded for the token, which goes to this tab's sessionStorage. */
  function takeTokenFromAddress() {
    var params = hashParams();
    var token = params.get("token");
    var code = params.get("signin");
    if (!token && !code) return Promise.resolve();
    params.delete("token");
    params.delete("signin");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""));
    if (token) {
      keepToken(token);
      return Promise.resolve();
    }
    return fetch("signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: code }),
      cache: "no-store",
    }).then(function (response) {
      return response.json().then(
        function (body) {
          if (response.ok && body && body.token) keepToken(body.token);
          else throw new AuthNeeded((body && body.message) || "Sign-in failed (" + response.status + ")");
        },
        function () {
          throw new AuthNeeded("Sign-in failed (" + response.status + ")");
        }
      );
    });
  }

  function keepToken(token) {
    sessionStorage.setItem(KEYS.token, token);
    sessionStorage.removeItem(KEYS.expiresAt);
  }

  function currentToken() {
    var token = sessionStorage.getItem(KEYS.token);
    var expiresAt = Number(sessionStorage.getItem(KEYS.expiresAt) || 0);
    if (token && expiresAt && Date.now() >= expiresAt) {
      forgetTokens();
      return null;
    }
    return token;
  }

  function forgetTokens() {
    [KEYS.token, KEYS.expiresAt].forEach(function (key) {
      sessionStorage.removeItem(key);
    });
  }

  function cognitoUrl(path, params) {
    var url = new URL(path, session.config.cognitoDomain.replace(/\/+$/, "") + "/");
    Object.keys(params).forEach(function (key) {
      url.searchParams.set(key, params[key]);
    });
    return url.toString();
  }

  function startCognitoSignIn() {
    var verifier = randomString(48);
    var state = randomString(16);
    sessionStorage.setItem(KEYS.verifier, verifier);
    sessionStorage.setItem(KEYS.state, state);
    sessionStorage.setItem(KEYS.returnTo, location.hash);
    return challengeOf(verifier).then(function (challenge) {
      location.assign(
        cognitoUrl("oauth2/authorize", {
          response_type: "code",
          client_id: session.config.clientId,
          redirect_uri: session.config.redirectUri,
          scope: session.config.scopes || "openid email",
          state: state,
          code_challenge: challenge,
          code_challenge_method: "S256",
        })
      );
    });
  }

  /* Back from the hosted UI with ?code=&state=: the code and the PKCE verifier for tokens. */
  function finishCognitoSignIn() {
    var query = new URLSearchParams(location.search);
    if (!query.has("code") && !query.has("error")) return Promise.resolve();
    var expected = sessionStorage.getItem(KEYS.state);
    var verifier = sessionStorage.getItem(KEYS.verifier);
    var returnTo = sessionStorage.getItem(KEYS.returnTo) || "";
    [KEYS.state, KEYS.verifier, KEYS.returnTo].forEach(function (key) {
      sessionStorage.removeItem(key);
    });
    history.replaceState(null, "", location.pathname + returnTo);
    if (query.has("error")) {
      return Promise.reject(
        new AuthNeeded("Sign-in failed: " + (query.get("error_description") || query.get("error")))
      );
    }
    if (!expected || query.get("state") !== expected || !verifier) {
      return Promise.reject(new AuthNeeded("Sign-in did not complete (the answer was not for this tab). Try again."));
    }
    var body = new URLSearchParams({
      grant_type: "authorization_code",
      client_id: session.config.clientId,
      code: query.get("code"),
      redirect_uri: session.config.redirectUri,
      code_verifier: verifier,
    });
    return fetch(cognitoUrl("oauth2/token", {}), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    })
      .then(function (response) {
        if (!response.ok) throw new AuthNeeded("Sign-in failed: the token exchange answered " + response.status);
        return response.json();
      })
      .then(function (tokens) {
        var token = session.config.tokenUse === "id" ? tokens.id_token : tokens.access_token;
        if (!token) throw new AuthNeeded("Sign-in failed: no token in Cognito's answer");
        sessionStorage.setItem(KEYS.token, token);
        // A minute early: a request never leaves with a token about to expire.
        sessionStorage.setItem(KEYS.expiresAt, String(Date.now() + ((tokens.expires_in || 3600) - 60) * 1000));
      });
  }

  function signOut() {
    forgetTokens();
    if (session.mode === "cognito") {
      location.assign(
        cognitoUrl("logout", {
          client_id: session.config.clientId,
          logout_uri: session.config.logoutUri || session.config.redirectUri,
        })
      );
      return;
    }
    needSignIn("Signed out. To sign in again, open a new link from `baton console`, or paste the token (`baton token`).");
  }

  function needSignIn(why) {
    show($("main"), false);
    show($("sign-in-panel"), true);
    show($("sign-out"), false);
    $("session-who").textContent = "";
    $("sign-in-why").textContent = why;
    show($("sign-in"), session.mode === "cognito");
    show($("token-form"), session.mode === "local");
  }

  function signedIn() {
    show($("sign-in-panel"), false);
    show($("main"), true);
    show($("sign-out"), true);
    $("session-who").textContent = session.mode === "local" ? "Signed in to baton local" : "Signed in";
  }

  // -- the API -------------------------------------------------------------------------------------------------

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  function api(path) {
    var token = currentToken();
    if (!token) return Promise.reject(new AuthNeeded("Your session has ended: sign in again."));
    return fetch(session.apiBase + path, {
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      cache: "no-store",
    }).then(function (response) {
      if (response.status === 401) {
        forgetTokens();
        throw new AuthNeeded(
          session.mode === "local"
            ? "The token was refused. Open a new link from `baton console`, or paste the token (`baton token`)."
            : "Your session has ended: sign in again."
        );
      }
      if (response.status === 403) {
        throw new ApiError(403, "this account may not read conversations (the token lacks the read scope)");
      }
      if (!response.ok) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            throw new ApiError(response.status, (body && (body.message || body.error)) || response.statusText);
          });
      }
      return response.json();
    });
  }

  function failed(what) {
    return function (error) {
      if (error instanceof AuthNeeded) {
        needSignIn(error.message);
        return;
      }
      var message =
        error instanceof ApiError ? error.status + ": " + error.message : (error && error.message) || error;
      notify("Could not load " + what + " (" + message + "). Retrying.", "error");
    };
  }

  // -- the live list -------------------------------------------------------------------------------------------

  function listPath(cursor) {
    var query = new URLSearchParams();
    if (list.filter) query.set("status", list.filter);
    query.set("limit", String(PAGE_SIZE));
    if (cursor) query.set("cursor", cursor);
    return "/v1/conversations?" + query.toString();
  }

  function refreshList() {
    if (list.busy) return Promise.resolve();
    list.busy = true;
    var filter = list.filter;
    return api(listPath(null))
      .then(function (page) {
        if (filter !== list.filter) return; // the filter changed meanwhile: that answer is for the old one
        list.rows = page.conversations || [];
        if (!list.more.length) list.cursor = page.next_cursor || null;
        notify(null);
        renderList();
        $("list-updated").textContent = "Updated " + new Date().toLocaleTimeString() + ".";
      })
      .catch(failed("the conversations"))
      .then(function () {
        list.busy = false;
      });
  }

  function loadMore() {
    if (!list.cursor) return;
    var button = $("load-more");
    button.disabled = true;
    api(listPath(list.cursor))
      .then(function (page) {
        list.more = list.more.concat(page.conversations || []);
        list.cursor = page.next_cursor || null;
        renderList();
      })
      .catch(failed("more conversations"))
      .then(function () {
        button.disabled = false;
      });
  }

  function listRow(c) {
    var href = "#conversation=" + idInUrl(c.conversation_id);
    var who = [c.intent ? humanize(c.intent) : null, c.segment].filter(Boolean).join(" · ");
    var assignee = c.assignee ? c.assignee.name || c.assignee.id : "—";
    var row = h(
      "tr",
      { class: "clickable", "data-conversation": c.conversation_id },
      h("td", null, h("a", { href: href }, c.conversation_id), who ? h("div", { class: "sub" }, who) : null),
      h("td", null, badge("status", c.status || "open")),
      h("td", null, riskCell(c.risk)),
      h("td", null, c.latest_reason || "—"),
      h("td", null, assignee),
      h("td", null, when(c.last_activity_at))
    );
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      location.hash = href;
    });
    return row;
  }

  function renderList() {
    var seen = {};
    var rows = list.rows.concat(list.more).filter(function (c) {
      if (seen[c.conversation_id]) return false;
      seen[c.conversation_id] = true;
      return true;
    });
    var shown = JSON.stringify(rows);
    if (shown !== list.shown) {
      list.shown = shown;
      fill($("conversation-list").tBodies[0], rows.map(listRow));
    }
    show($("list-empty"), rows.length === 0);
    show($("load-more"), Boolean(list.cursor));
  }

  function setFilter(value) {
    list.filter = value;
    list.rows = [];
    list.more = [];
    list.cursor = null;
    renderList();
    refreshList();
  }

  // -- one conversation ----------------------------------------------------------------------------------------

  function refreshConversation() {
    var id = detail.id;
    if (!id || detail.busy) return Promise.resolve();
    detail.busy = true;
    return api("/v1/conversations/" + idInUrl(id))
      .then(function (conversation) {
        if (id !== detail.id) return;
        notify(null);
        var shown = JSON.stringify(conversation);
        if (shown === detail.shown) return;
        detail.shown = shown;
        renderConversation(conversation);
      })
      .catch(function (error) {
        if (error instanceof ApiError && error.status === 404) {
          notify("There is no conversation " + id + " (yet): it appears once its first message is stored.", "info");
          return;
        }
        failed("the conversation")(error);
      })
      .then(function () {
        detail.busy = false;
      });
  }

  function renderConversation(c) {
    $("conversation-id").textContent = c.conversation_id;
    document.title = c.conversation_id + " · Baton console";
    var decision = c.decision;
    var assignment = c.assignment || {};
    var customer = c.customer || {};
    var assigned =
      assignment.state === "assigned"
        ? "assigned to " +
          (assignment.agent_name || assignment.agent_id) +
          " (" +
          (assignment.reasons || []).join(", ") +
          ")"
        : assignment.state === "queued"
          ? "waiting for an agent since " + new Date(assignment.since).toLocaleTimeString()
          : assignment.state === "handed_back"
            ? "handed back to the bot"
            : assignment.state === "ended"
              ? "none: the conversation ended first"
              : null;
    fill(
      $("conversation-facts"),
      definitions([
        ["Status", badge("status", c.status)],
        [
          "Customer",
          [customer.name, customer.id, customer.account_id ? "account " + customer.account_id : null]
            .filter(Boolean)
            .join(" · ") || null,
        ],
        ["Messages", String(c.message_count)],
        ["Risk now", decision ? [riskCell(decision.risk), " → ", humanize(decision.action)] : "not decided yet"],
        ["Agent", assigned],
        ["Bot", c.bot && c.bot.paused ? "paused (" + humanize(c.bot.reason) + ")" : null],
        ["Started", when((c.messages && c.messages.length && c.messages[0].sent_at) || c.created_at)],
        ["Decision model", decision ? decision.model_version : null],
      ]).childNodes
    );
    renderTrailChart(c);
    renderReasons(c);
    renderOutcome(c);
    renderHandoff(c.handoff);
    renderMessages(c);
  }

  /* One row per decided or scored customer message: seq, risk, action, sentiment, frustration, signals. */
  function trailRows(c) {
    var bySeq = {};
    function at(seq) {
      bySeq[seq] = bySeq[seq] || {
        seq: seq,
        risk: null,
        action: null,
        sentiment: null,
        frustration: null,
        signals: [],
      };
      return bySeq[seq];
    }
    (c.trail || []).forEach(function (p) {
      var row = at(p.seq);
      row.sentiment = p.sentiment;
      row.frustration = p.frustration;
      row.signals = p.signals || [];
    });
    var risks = c.risk_trail || [];
    if (!risks.length && c.decision)
      risks = [{ seq: c.decision.seq, risk: c.decision.risk, action: c.decision.action }];
    risks.forEach(function (p) {
      var row = at(p.seq);
      row.risk = p.risk;
      row.action = p.action;
    });
    return Object.keys(bySeq)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      })
      .map(function (seq) {
        return bySeq[seq];
      });
  }

  function escalationSeq(c) {
    var d = c.decision;
    if (!d) return null;
    if (d.escalated_because) return d.escalated_because.seq;
    return d.action === "escalate" ? d.seq : null;
  }

  function chartWidth(el) {
    return Math.max(280, Math.min(el.clientWidth || el.parentElement.clientWidth || 640, 1400));
  }

  function markerPlugin(seq) {
    return {
      hooks: {
        draw: function (u) {
          if (seq === null || seq === undefined) return;
          var x = Math.round(u.valToPos(seq, "x", true));
          var ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = COLORS.risk;
          ctx.setLineDash([5, 5]);
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.restore();
        },
      },
    };
  }

  function renderTrailChart(c) {
    var el = $("conversation-chart");
    var rows = trailRows(c);
    if (detail.chart) {
      detail.chart.destroy();
      detail.chart = null;
    }
    fill(
      $("conversation-chart-table"),
      table(
        null,
        ["Message", "Risk", "Action", "Sentiment", "Frustration", "Signals"],
        rows.map(function (r) {
          return [
            "#" + r.seq,
            num(r.risk),
            humanize(r.action),
            num(r.sentiment),
            num(r.frustration),
            r.signals.map(humanize).join(", ") || "—",
          ];
        })
      ).childNodes
    );
    var points = rows.reduce(function (n, r) {
      return (
        n +
        [r.risk, r.sentiment, r.frustration].filter(function (v) {
          return v !== null && v !== undefined;
        }).length
      );
    }, 0);
    el.dataset.points = String(points);
    if (!rows.length) {
      fill(el, h("p", { class: "empty" }, "No customer message scored yet."));
      el.setAttribute("aria-label", "No data yet");
      return;
    }
    var last = rows[rows.length - 1];
    el.setAttribute(
      "aria-label",
      "Chart of " +
        rows.length +
        " customer messages. At message " +
        last.seq +
        ": risk " +
        num(last.risk) +
        ", sentiment " +
        num(last.sentiment) +
        ", frustration " +
        num(last.frustration) +
        ". The numbers follow."
    );
    fill(el, []);
    if (typeof uPlot !== "function") {
      fill(el, h("p", { class: "empty" }, "The chart library did not load: see the numbers below."));
      return;
    }
    var pick = function (key) {
      return rows.map(function (r) {
        return r[key];
      });
    };
    var data = [
      rows.map(function (r) {
        return r.seq;
      }),
      pick("risk"),
      pick("frustration"),
      pick("sentiment"),
    ];
    var line = function (label, color, scale, dash) {
      var series = {
        label: label,
        stroke: color,
        width: 2,
        scale: scale,
        spanGaps: true,
        points: { show: true, size: 7, fill: color },
        value: function (u, v) {
          return num(v);
        },
      };
      if (dash) series.dash = dash;
      return series;
    };
    detail.chart = new uPlot(
      {
        width: chartWidth(el),
        height: 260,
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: {
            time: false,
            range: function (u, lo, hi) {
              return [lo - 0.5, hi + 0.5];
            },
          },
          y: { range: [0, 1] },
          s: { range: [-1, 1] },
        },
        axes: [
          {
            label: "Message",
            incrs: [1, 2, 5, 10, 20, 50, 100],
            values: function (u, vals) {
              return vals.map(function (v) {
                return Number.isInteger(v) ? "#" + v : "";
              });
            },
          },
          {
            scale: "y",
            label: "Risk, frustration",
            values: function (u, vals) {
              return vals.map(function (v) {
                return v.toFixed(1);
              });
            },
          },
          {
            scale: "s",
            side: 1,
            label: "Sentiment",
            grid: { show: false },
            values: function (u, vals) {
              return vals.map(function (v) {
                return v.toFixed(1);
              });
            },
          },
        ],
        series: [
          {
            label: "Message",
            value: function (u, v) {
              return v === null || v === undefined ? "—" : "#" + v;
            },
          },
          line("Risk", COLORS.risk, "y"),
          line("Frustration", COLORS.frustration, "y", [6, 4]),
          line("Sentiment", COLORS.sentiment, "s"),
        ],
        plugins: [markerPlugin(escalationSeq(c))],
      },
      data,
      el
    );
  }

  function reasonsTable(caption, reasons) {
    return table(
      caption,
      ["Reason", "Evidence", "Share of the risk"],
      reasons.map(function (r) {
        return [
          h("span", { title: r.code }, r.label),
          r.evidence,
          h(
            "span",
            { class: "share" },
            h("meter", { min: 0, max: 1, value: r.contribution, "aria-hidden": "true" }),
            " " + pct(r.contribution)
          ),
        ];
      }),
      "list reasons"
    );
  }

  function renderReasons(c) {
    var d = c.decision;
    var el = $("conversation-reasons");
    if (!d) {
      fill(el, h("p", { class: "empty" }, "Not decided yet: the decision follows the first customer message."));
      return;
    }
    var parts = [
      h(
        "p",
        null,
        "Latest decision, at message #" + d.seq + ": ",
        h("strong", null, humanize(d.action)),
        ", risk " +
          num(d.risk) +
          (d.guardrail ? " — forced by the guardrail “" + humanize(d.guardrail) + "”" : "") +
          "."
      ),
      reasonsTable("Reasons of the latest decision, highest first", d.reasons || []),
    ];
    var cause = d.escalated_because;
    if (cause && cause.seq !== d.seq) {
      parts.push(
        h(
          "p",
          null,
          "Escalated at message #" +
            cause.seq +
            ", risk " +
            num(cause.risk) +
            (cause.guardrail ? ", by the guardrail “" + humanize(cause.guardrail) + "”" : "") +
            ", because:"
        )
      );
      parts.push(reasonsTable("Reasons of the escalation", cause.reasons || []));
    }
    if (d.incidents && d.incidents.length) {
      parts.push(h("h3", null, "Known incidents"));
      parts.push(
        h(
          "ul",
          null,
          d.incidents.map(function (i) {
            return h(
              "li",
              null,
              i.id + ": " + i.title + (i.eta ? " (ETA " + i.eta + (i.eta_passed ? ", passed" : "") + ")" : "")
            );
          })
        )
      );
    }
    if (d.shadow) {
      parts.push(
        h(
          "p",
          { class: "sub" },
          "Shadow challenger " +
            d.shadow.model_version +
            " would have chosen " +
            humanize(d.shadow.action) +
            " at risk " +
            num(d.shadow.risk) +
            "."
        )
      );
    }
    fill(el, parts);
  }

  function renderOutcome(c) {
    var parts = [];
    var label = c.outcome_label;
    if (label) {
      parts.push(
        h("p", { class: "outcome" }, badge("label", label.label), " ", LABELS[label.label] || humanize(label.label))
      );
      parts.push(
        definitions([
          ["Why", label.reason],
          ["Rule", label.rule ? label.rule + (label.rules_version ? " (" + label.rules_version + ")" : "") : null],
          ["Labelled at", when(label.at)],
        ])
      );
    }
    var o = c.outcome;
    if (o) {
      parts.push(
        definitions([
          [
            "Helpdesk outcome",
            humanize(o.kind) + (o.resolved_by && o.resolved_by !== "unknown" ? " by " + o.resolved_by : ""),
          ],
          ["CSAT", o.csat ? o.csat + " / 5" : null],
          ["At", when(o.at)],
        ])
      );
    }
    fill($("conversation-outcome"), parts.length ? parts : h("p", { class: "empty" }, "No outcome yet."));
  }

  function quote(q) {
    if (!q) return null;
    return h("blockquote", null, h("p", null, q.text || "(redacted)"), h("footer", null, "message #" + q.seq));
  }

  function section(title, content) {
    if (content === null || content === undefined || (Array.isArray(content) && !content.length)) return null;
    return h("section", { class: "packet-part" }, h("h3", null, title), content);
  }

  function renderHandoff(p) {
    var el = $("conversation-handoff");
    if (!p) {
      fill(el, h("p", { class: "empty" }, "No handoff: the conversation has not been escalated."));
      return;
    }
    var problem = p.problem || {};
    var cls = p.classification || {};
    var feeling = p.feeling || {};
    var account = p.account;
    var why = p.why || {};
    var feelingRows = ["start", "peak", "last"]
      .filter(function (k) {
        return feeling[k];
      })
      .map(function (k) {
        var f = feeling[k];
        return [k, "#" + f.seq, num(f.sentiment), num(f.frustration)];
      });
    fill(el, [
      section("Summary", h("p", null, p.summary)),
      section("Suggested first step", h("p", null, p.next_step)),
      section("Why it was escalated", [
        h(
          "p",
          null,
          "At message #" +
            why.escalated_seq +
            ", risk " +
            num(why.risk) +
            (why.guardrail ? ", guardrail “" + humanize(why.guardrail) + "”" : "") +
            "."
        ),
        h(
          "ul",
          null,
          (why.reasons || []).map(function (r) {
            return h("li", null, h("strong", null, r.label), ": " + r.evidence);
          })
        ),
      ]),
      section(
        "The problem, in the customer's words",
        [
          quote(problem.first_request),
          problem.latest && (!problem.first_request || problem.latest.seq !== problem.first_request.seq)
            ? quote(problem.latest)
            : null,
        ].filter(Boolean)
      ),
      section(
        "Classification",
        definitions([
          [
            "Intent",
            cls.intent
              ? humanize(cls.intent) +
                (cls.intent_confidence !== null && cls.intent_confidence !== undefined
                  ? " (" + pct(cls.intent_confidence) + ")"
                  : "")
              : null,
          ],
          ["Product area", cls.product_area ? humanize(cls.product_area) : null],
          ["Skill", cls.skill ? humanize(cls.skill) : null],
        ])
      ),
      (p.entities || []).length
        ? section(
            "What the customer gave",
            table(
              null,
              ["Kind", "Value", "Message"],
              p.entities.map(function (e) {
                return [humanize(e.kind), e.value, "#" + e.seq];
              })
            )
          )
        : null,
      (p.bot_attempts || []).length
        ? section(
            "What the bot tried",
            table(
              null,
              ["Message", "Attempt", "Confidence", "Customer's reaction", "Why it failed"],
              p.bot_attempts.map(function (b) {
                return [
                  "#" + b.seq,
                  b.attempt || b.text,
                  b.confidence === null || b.confidence === undefined ? "—" : pct(b.confidence),
                  humanize(b.reaction),
                  b.failed_because ? humanize(b.failed_because) : "—",
                ];
              })
            )
          )
        : null,
      feelingRows.length
        ? section("How it felt", [
            table(null, ["When", "Message", "Sentiment", "Frustration"], feelingRows),
            feeling.frustration_began
              ? h(
                  "p",
                  null,
                  "Frustration began at message #" +
                    feeling.frustration_began.seq +
                    ": “" +
                    (feeling.frustration_began.text || "(redacted)") +
                    "”"
                )
              : null,
          ])
        : null,
      account
        ? section(
            "Account",
            definitions([
              ["Account", account.id],
              ["Plan", account.plan],
              [
                "Annual value",
                account.annual_value !== null && account.annual_value !== undefined
                  ? Number(account.annual_value).toLocaleString()
                  : null,
              ],
              ["Renewal", account.renewal_date],
              ["Health", account.health ? humanize(account.health) : null],
            ])
          )
        : null,
      (p.incidents || []).length
        ? section(
            "Incidents",
            h(
              "ul",
              null,
              p.incidents.map(function (i) {
                return h("li", null, i.id + ": " + i.title + (i.eta ? " (ETA " + i.eta + ")" : ""));
              })
            )
          )
        : null,
      (p.history || []).length
        ? section(
            "Earlier contacts",
            h(
              "ul",
              null,
              p.history.map(function (x) {
                return h(
                  "li",
                  null,
                  x.conversation_id +
                    (x.intent ? " · " + humanize(x.intent) : "") +
                    (x.outcome ? " · " + x.outcome : "")
                );
              })
            )
          )
        : null,
      h("details", null, h("summary", null, "The note the helpdesk shows"), h("pre", { class: "note" }, p.note)),
      h(
        "details",
        null,
        h("summary", null, "The packet as JSON"),
        h("pre", { class: "note" }, JSON.stringify(p, null, 2))
      ),
    ]);
  }

  function renderMessages(c) {
    var trail = {};
    trailRows(c).forEach(function (r) {
      trail[r.seq] = r;
    });
    fill(
      $("conversation-messages"),
      (c.messages || []).map(function (m) {
        var t = trail[m.seq];
        var chips = [];
        if (t) {
          if (t.risk !== null) chips.push("risk " + num(t.risk));
          if (t.sentiment !== null) chips.push("sentiment " + num(t.sentiment));
          if (t.frustration !== null) chips.push("frustration " + num(t.frustration));
          t.signals.forEach(function (s) {
            chips.push(humanize(s));
          });
        }
        if (m.bot && m.bot.confidence !== null && m.bot.confidence !== undefined)
          chips.push("bot confidence " + pct(m.bot.confidence));
        return h(
          "li",
          { class: "message role-" + m.role, value: m.seq },
          h("div", { class: "message-head" }, badge("role", m.role), " #" + m.seq + " · ", when(m.sent_at)),
          h("p", { class: "message-text" }, m.redacted_at ? "(redacted)" : m.text),
          chips.length ? h("p", { class: "chips" }, chips.join(" · ")) : null
        );
      })
    );
  }

  // -- KPIs ----------------------------------------------------------------------------------------------------

  function refreshKpis(force) {
    if (kpis.busy || (!force && Date.now() - kpis.fetchedAt < KPI_REFRESH_MS)) return Promise.resolve();
    kpis.busy = true;
    var form = $("kpi-range");
    var query = new URLSearchParams();
    if (form.elements.from.value) query.set("from", form.elements.from.value);
    if (form.elements.to.value) query.set("to", form.elements.to.value);
    var qs = query.toString();
    return api("/v1/kpis" + (qs ? "?" + qs : ""))
      .then(function (data) {
        kpis.fetchedAt = Date.now();
        kpis.data = data;
        notify(null);
        renderKpis(data);
      })
      .catch(failed("the KPIs"))
      .then(function () {
        kpis.busy = false;
      });
  }

  function tile(key, label, value, detailText) {
    return h(
      "section",
      { class: "tile", "data-kpi": key },
      h("h3", null, label),
      h("p", { class: "tile-value" }, value),
      detailText ? h("p", { class: "tile-detail" }, detailText) : null
    );
  }

  function timingTile(key, label, timing) {
    timing = timing || {};
    return tile(
      key,
      label,
      duration(timing.p50_s),
      timing.n
        ? "median of " +
            timing.n +
            (timing.mean_s !== null && timing.mean_s !== undefined ? "; mean " + duration(timing.mean_s) : "")
        : "no data yet"
    );
  }

  function csatTile(path, label, csat) {
    csat = csat || {};
    return tile(
      "csat_" + path,
      "CSAT, " + label,
      csat.mean === null || csat.mean === undefined ? "—" : num(csat.mean, 1) + " / 5",
      csat.n ? csat.n + " ratings; " + pct(csat.low_rate) + " low (1-2)" : "no ratings yet"
    );
  }

  function renderKpis(k) {
    var t = k.totals || {};
    $("kpi-period").textContent =
      "From " + k.from + " to " + k.to + " (UTC days), computed " + new Date(k.generated_at).toLocaleString() + ".";
    var kinds = t.escalated_by_kind || {};
    fill($("kpi-tiles"), [
      tile("conversations", "Conversations", String(t.conversations || 0), "started in the period"),
      tile(
        "escalation_rate",
        "Escalation rate",
        pct(t.escalation_rate),
        (t.escalated || 0) +
          " escalated: " +
          (kinds.customer_requested || 0) +
          " asked for a person, " +
          (kinds.guardrail || 0) +
          " by a guardrail, " +
          (kinds.model || 0) +
          " by risk"
      ),
      tile(
        "containment_rate",
        "Containment",
        pct(t.containment_rate),
        plural(t.contained, "conversation") + " solved by the bot alone"
      ),
      tile(
        "false_escalation_rate",
        "False escalations",
        pct(t.false_escalation_rate),
        plural(t.false_escalations, "escalation") + " no person was needed for (of the labelled ones)"
      ),
      tile(
        "missed_escalation_rate",
        "Missed escalations",
        pct(t.missed_escalation_rate),
        plural(t.missed_escalations, "conversation") + " needed a person and were not escalated"
      ),
      timingTile("time_to_escalate", "Time to escalate", t.time_to_escalate),
      timingTile("time_to_assign", "Time to assign", t.time_to_assign),
      timingTile("time_to_first_agent_reply", "Time to first agent reply", t.time_to_first_agent_reply),
      csatTile("bot_only", "bot only", (t.csat || {}).bot_only),
      csatTile("escalated", "escalated", (t.csat || {}).escalated),
      csatTile("direct_to_agent", "direct to an agent", (t.csat || {}).direct_to_agent),
      tile("reopen_rate", "Reopened", pct(t.reopen_rate), plural(t.reopened, "conversation") + " reopened"),
      tile(
        "repeat_contact_rate",
        "Repeat contacts",
        pct(t.repeat_contact_rate),
        plural(t.repeat_contacts, "customer") + " back on the same intent within 7 days"
      ),
    ]);
    renderKpiChart(k.by_day || []);
    renderDrift(k.drift);
    renderDrivers(k.drivers || {});
    renderBreakdown();
  }

  function renderKpiChart(days) {
    var el = $("kpi-chart");
    if (kpis.chart) {
      kpis.chart.destroy();
      kpis.chart = null;
    }
    el.dataset.points = String(
      days.filter(function (d) {
        return d.escalation_rate !== null && d.escalation_rate !== undefined;
      }).length
    );
    fill(
      $("kpi-chart-table"),
      table(
        null,
        ["Day", "Conversations", "Escalated", "Escalation rate"],
        days.map(function (d) {
          return [d.day, String(d.conversations), String(d.escalated), pct(d.escalation_rate)];
        })
      ).childNodes
    );
    if (!days.length) {
      fill(el, h("p", { class: "empty" }, "No conversations in this period."));
      el.setAttribute("aria-label", "No data");
      return;
    }
    fill(el, []);
    el.setAttribute("aria-label", "Escalation rate on each of " + days.length + " days; the numbers follow.");
    if (typeof uPlot !== "function") {
      fill(el, h("p", { class: "empty" }, "The chart library did not load: see the numbers below."));
      return;
    }
    var xs = days.map(function (d) {
      return Date.parse(d.day + "T00:00:00Z") / 1000;
    });
    var rates = days.map(function (d) {
      return d.escalation_rate === null || d.escalation_rate === undefined ? null : d.escalation_rate * 100;
    });
    var volume = days.map(function (d) {
      return d.conversations;
    });
    kpis.chart = new uPlot(
      {
        width: chartWidth(el),
        height: 240,
        tzDate: function (ts) {
          return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
        },
        cursor: { drag: { x: false, y: false } },
        scales: {
          pct: { range: [0, 100] },
          n: {
            range: function (u, lo, hi) {
              return [0, Math.max(1, hi * 1.2)];
            },
          },
        },
        axes: [
          {},
          {
            scale: "pct",
            label: "Escalation rate",
            values: function (u, vals) {
              return vals.map(function (v) {
                return v + "%";
              });
            },
          },
          { scale: "n", side: 1, label: "Conversations", grid: { show: false } },
        ],
        series: [
          {},
          {
            label: "Escalation rate",
            scale: "pct",
            stroke: COLORS.risk,
            width: 2,
            spanGaps: true,
            points: { show: true, size: 6, fill: COLORS.risk },
            value: function (u, v) {
              return v === null ? "—" : v.toFixed(1) + "%";
            },
          },
          {
            label: "Conversations",
            scale: "n",
            stroke: COLORS.volume,
            width: 1,
            dash: [4, 4],
            points: { show: true, size: 4 },
          },
        ],
      },
      [xs, rates, volume],
      el
    );
  }

  function renderDrift(drift) {
    var el = $("kpi-drift");
    if (!drift) {
      fill(el, h("p", { class: "empty" }, "Not enough days in the period for a week-over-week comparison."));
      return;
    }
    var change = drift.escalation_rate_change_pts;
    var text =
      "Escalation rate " +
      drift.this_week +
      " against " +
      drift.last_week +
      ": " +
      (change === null || change === undefined
        ? "no comparison yet"
        : (change > 0 ? "+" : "") + change.toFixed(1) + " points") +
      ".";
    var moves = (drift.intents || []).slice(0, 5).map(function (i) {
      return [
        humanize(i.value),
        pct(i.last_week),
        pct(i.this_week),
        i.change_pts === null || i.change_pts === undefined
          ? "—"
          : (i.change_pts > 0 ? "+" : "") + i.change_pts.toFixed(1),
        String(i.conversations_this_week),
      ];
    });
    fill(el, [
      h(
        "p",
        { class: drift.alert ? "drift alert" : "drift" },
        drift.alert ? "Alert: " : "",
        text,
        drift.alert ? " (a move of " + drift.threshold_pts + " points or more)" : ""
      ),
      moves.length
        ? table(
            "Largest moves by intent",
            ["Intent", "Last week", "This week", "Change (points)", "Conversations this week"],
            moves
          )
        : null,
    ]);
  }

  function renderDrivers(d) {
    var groups = [
      ["intents", "Intents"],
      ["reasons", "Reasons"],
      ["pages", "Pages"],
      ["incidents", "Incidents"],
    ];
    fill(
      $("kpi-drivers"),
      groups.map(function (g) {
        var rows = (d[g[0]] || []).map(function (x) {
          return [
            g[0] === "pages" ? x.value : humanize(x.value),
            String(x.escalated),
            pct(x.escalation_rate),
            pct(x.share_of_escalations),
          ];
        });
        return h(
          "div",
          { class: "driver" },
          rows.length
            ? table(g[1], [g[1].replace(/s$/, ""), "Escalated", "Escalation rate", "Share of escalations"], rows)
            : h("p", { class: "empty" }, g[1] + ": none in this period.")
        );
      })
    );
  }

  function renderBreakdown() {
    var select = $("kpi-breakdown");
    var key = select.value;
    var slices = (kpis.data && kpis.data[key]) || [];
    var by = select.options[select.selectedIndex].text;
    fill(
      $("kpi-breakdown-table"),
      table(
        null,
        [
          by.charAt(0).toUpperCase() + by.slice(1),
          "Conversations",
          "Escalation rate",
          "Containment",
          "False escalations",
          "Missed escalations",
          "Time to assign",
          "CSAT, escalated",
        ],
        slices.map(function (s) {
          var csat = (s.csat || {}).escalated || {};
          return [
            key === "by_week" ? s.value : humanize(s.value),
            String(s.conversations),
            pct(s.escalation_rate),
            pct(s.containment_rate),
            pct(s.false_escalation_rate),
            pct(s.missed_escalation_rate),
            duration((s.time_to_assign || {}).p50_s),
            csat.mean === null || csat.mean === undefined ? "—" : num(csat.mean, 1),
          ];
        })
      ).childNodes
    );
  }

  // -- views and the clock -------------------------------------------------------------------------------------

  function route() {
    var params = hashParams();
    if (params.has("conversation")) return { view: "conversation", id: params.get("conversation") };
    if (params.has("kpis")) return { view: "kpis" };
    return { view: "conversations" };
  }

  var current = null;

  function render() {
    var r = route();
    var changed = !current || current.view !== r.view || current.id !== r.id;
    current = r;
    ["conversations", "conversation", "kpis"].forEach(function (v) {
      show($("view-" + v), v === r.view);
    });
    $("nav-conversations").setAttribute("aria-current", r.view === "kpis" ? "false" : "page");
    $("nav-kpis").setAttribute("aria-current", r.view === "kpis" ? "page" : "false");
    if (!changed) return;
    notify(null);
    if (r.view === "conversation") {
      detail.id = r.id;
      detail.shown = "";
      $("conversation-id").textContent = r.id;
      refreshConversation();
    } else {
      detail.id = null;
      document.title = (r.view === "kpis" ? "KPIs" : "Conversations") + " · Baton console";
      if (r.view === "kpis") refreshKpis(true);
      else refreshList();
    }
    $("main").focus({ preventScroll: true });
  }

  function tick() {
    if (document.hidden || $("main").hidden || !current) return;
    if (current.view === "conversations") refreshList();
    else if (current.view === "conversation") refreshConversation();
    else refreshKpis(false);
  }

  function onResize() {
    [detail.chart, kpis.chart].forEach(function (chart) {
      if (chart) chart.setSize({ width: chartWidth(chart.root.parentElement), height: chart.height });
    });
  }

  function wire() {
    $("filters").addEventListener("change", function (event) {
      if (event.target.name === "status") setFilter(event.target.value);
    });
    $("load-more").addEventListener("click", loadMore);
    $("sign-out").addEventListener("click", signOut);
    $("sign-in").addEventListener("click", function () {
      startCognitoSignIn().catch(failed("the sign-in page"));
    });
    $("token-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = $("token-input");
      if (!input.value.trim()) return;
      keepToken(input.value.trim());
      input.value = "";
      start();
    });
    $("kpi-range").addEventListener("submit", function (event) {
      event.preventDefault();
      refreshKpis(true);
    });
    $("kpi-breakdown").addEventListener("change", renderBreakdown);
    window.addEventListener("hashchange", function () {
      // A sign-in link opened in a tab already on the console changes only the fragment.
      var params = hashParams();
      if (params.has("signin") || params.has("token")) {
        takeTokenFromAddress()
          .then(start)
          .catch(function (error) {
            if (error instanceof AuthNeeded) needSignIn(error.message);
            else notify("Sign-in failed: " + ((error && error.message) || error), "error");
          });
      } else {
        render();
      }
    });
    window.addEventListener("resize", onResize);
    setInterval(tick, REFRESH_MS);
  }

  function start() {
    if (!currentToken()) {
      needSignIn(
        session.mode === "local"
          ? "Open the sign-in link that `baton local` printed (or run `baton console` for a new one), or paste the " +
              "API token (`baton token` prints it) here."
          : "Sign in with your company account to see the conversations and KPIs."
      );
      return;
    }
    signedIn();
    current = null;
    render();
  }

  function boot() {
    wire();
    takeTokenFromAddress()
      .then(loadConfig)
      .then(function (config) {
        if (config) {
          session.mode = "cognito";
          session.config = config;
          session.apiBase = config.apiUrl.replace(/\/+$/, "");
          return finishCognitoSignIn();
        }
        session.apiBase = "";
      })
      .then(start)
      .catch(function (error) {
        if (error instanceof AuthNeeded) needSignIn(error.message);
        else notify("The console could not start: " + ((error && error.message) || error), "error");
      });
  }

  boot();
})();
