/* twinning-assistant chat widget.
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-site="aiccre" data-lang="it" async></script>
 * Everything lives in a Shadow DOM (the page's CSS cannot reach in, ours cannot leak out). Text from answers,
 * documents and users is only ever set with textContent: markup in them can never run in the host page.
 * The conversation is kept in sessionStorage and sent with each question (the API is stateless).
 * On load it asks the server whether its site is served on this page (GET /api/widget/check): when refused it
 * stays hidden and says why in one console message. Its styles are a constructed stylesheet adopted by the shadow
 * root, which a Content-Security-Policy without 'unsafe-inline' in style-src does not block.
 * Icons: Feather (MIT), drawn as inline SVG, so no emoji font is needed.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__twinningAssistantLoaded) return;
  window.__twinningAssistantLoaded = true;

  var API = new URL(script.src, location.href).origin;
  var NAMED = !!script.getAttribute("data-site");  // a tag without data-site is told so, not sent to "default"
  var SITE = script.getAttribute("data-site") || "default";
  var STORE_KEY = "twinning-assistant:" + SITE;

  var WORDS = {
    en: { open: "Ask about twinning funding", title: "Twinning funding assistant", close: "Close",
      reset: "New conversation", placeholder: "Ask about CERV, town twinning, REALISE...", send: "Send",
      label: "Your question", sources: "Sources", up: "Helpful", down: "Not helpful", thanks: "Thank you for the feedback.", thanked: "Thank you",
      error: "Sorry, something went wrong. Please try again.", busy: "Too many questions at once. Please wait a moment.",
      welcome: "Hello! Ask me about EU town-twinning funding: CERV calls, deadlines, amounts, eligibility, CEMR.",
      you: "You", bot: "Assistant", thinking: "Looking in the documents...", source: "Source", excerpt: "Excerpt",
      comment: "What was wrong? (optional)", sendFeedback: "Send feedback",
      unavailable: "The assistant is not available on this page." },
    fr: { open: "Questions sur le financement des jumelages", title: "Assistant financement des jumelages",
      close: "Fermer", reset: "Nouvelle conversation", placeholder: "Posez votre question sur CERV, les jumelages...",
      send: "Envoyer", label: "Votre question", sources: "Sources", up: "Utile", down: "Pas utile",
      thanks: "Merci pour votre avis.", thanked: "Merci", error: "Désolé, une erreur s'est produite. Veuillez réessayer.",
      busy: "Trop de questions à la fois. Patientez un instant.",
      welcome: "Bonjour ! Posez-moi vos questions sur le financement européen des jumelages : appels CERV, dates limites, montants, éligibilité, CCRE.",
      you: "Vous", bot: "Assistant", thinking: "Recherche dans les documents...", source: "Source", excerpt: "Extrait",
      comment: "Qu'est-ce qui n'allait pas ? (facultatif)", sendFeedback: "Envoyer l'avis",
      unavailable: "L'assistant n'est pas disponible sur cette page." },
    it: { open: "Domande sui finanziamenti per i gemellaggi", title: "Assistente finanziamenti gemellaggi",
      close: "Chiudi", reset: "Nuova conversazione", placeholder: "Chieda di CERV, gemellaggi, REALISE...",
      send: "Invia", label: "La sua domanda", sources: "Fonti", up: "Utile", down: "Non utile",
      thanks: "Grazie per il riscontro.", thanked: "Grazie", error: "Spiacenti, si è verificato un errore. Riprovi.",
      busy: "Troppe domande insieme. Attenda un momento.",
      welcome: "Buongiorno! Mi chieda dei finanziamenti UE per i gemellaggi: bandi CERV, scadenze, importi, requisiti, CCRE.",
      you: "Lei", bot: "Assistente", thinking: "Cerco nei documenti...", source: "Fonte", excerpt: "Estratto",
      comment: "Che cosa non andava? (facoltativo)", sendFeedback: "Invia il riscontro",
      unavailable: "L'assistente non è disponibile su questa pagina." },
    hu: { open: "Kérdések a testvértelepülési támogatásokról", title: "Testvértelepülési támogatási asszisztens",
      close: "Bezárás", reset: "Új beszélgetés", placeholder: "Kérdezzen a CERV-ről, testvértelepülésekről...",
      send: "Küldés", label: "Az Ön kérdése", sources: "Források", up: "Hasznos", down: "Nem hasznos",
      thanks: "Köszönjük a visszajelzést.", thanked: "Köszönjük", error: "Sajnos hiba történt. Kérjük, próbálja újra.",
      busy: "Túl sok kérdés egyszerre. Kérjük, várjon egy kicsit.",
      welcome: "Jó napot! Kérdezzen a testvértelepülési kapcsolatok uniós támogatásáról: CERV-felhívások, határidők, összegek, jogosultság, CEMR.",
      you: "Ön", bot: "Asszisztens", thinking: "Keresés a dokumentumokban...", source: "Forrás", excerpt: "Részlet",
      comment: "Mi volt a hiba? (nem kötelező)", sendFeedback: "Visszajelzés küldése",
      unavailable: "Az asszisztens ezen az oldalon nem érhető el." },
    ro: { open: "Întrebări despre finanțarea înfrățirilor", title: "Asistent pentru finanțarea înfrățirilor",
      close: "Închide", reset: "Conversație nouă", placeholder: "Întrebați despre CERV, înfrățiri, REALISE...",
      send: "Trimite", label: "Întrebarea dumneavoastră", sources: "Surse", up: "Util", down: "Nu este util",
      thanks: "Vă mulțumim pentru feedback.", thanked: "Mulțumim", error: "Ne pare rău, a apărut o eroare. Încercați din nou.",
      busy: "Prea multe întrebări deodată. Așteptați puțin.",
      welcome: "Bună ziua! Întrebați-mă despre finanțarea UE pentru înfrățirea orașelor: apeluri CERV, termene, sume, eligibilitate, CEMR.",
      you: "Dvs.", bot: "Asistent", thinking: "Caut în documente...", source: "Sursa", excerpt: "Extras",
      comment: "Ce nu a fost în regulă? (opțional)", sendFeedback: "Trimite feedbackul",
      unavailable: "Asistentul nu este disponibil pe această pagină." },
    de: { open: "Fragen zur Förderung von Städtepartnerschaften", title: "Assistent für Partnerschaftsförderung",
      close: "Schließen", reset: "Neues Gespräch", placeholder: "Fragen Sie zu CERV, Städtepartnerschaften...",
      send: "Senden", label: "Ihre Frage", sources: "Quellen", up: "Hilfreich", down: "Nicht hilfreich",
      thanks: "Danke für Ihre Rückmeldung.", thanked: "Danke", error: "Leider ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.",
      busy: "Zu viele Fragen auf einmal. Bitte warten Sie einen Moment.",
      welcome: "Guten Tag! Fragen Sie mich zur EU-Förderung von Städtepartnerschaften: CERV-Aufrufe, Fristen, Beträge, Förderfähigkeit, RGRE.",
      you: "Sie", bot: "Assistent", thinking: "Suche in den Dokumenten...", source: "Quelle", excerpt: "Auszug",
      comment: "Was war falsch? (optional)", sendFeedback: "Rückmeldung senden",
      unavailable: "Der Assistent ist auf dieser Seite nicht verfügbar." }
  };
  var pageLang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2).toLowerCase();
  var LANG = (script.getAttribute("data-lang") || pageLang || "en").slice(0, 2).toLowerCase();
  var T = WORDS[LANG] || WORDS.en;

  // Every control is at least 44 x 44 px (WCAG 2.5.5); citation markers, links inside a sentence, are exempt.
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#003399;color:#fff;border:0;",
    "border-radius:28px;padding:12px 20px;min-height:48px;font-size:15px;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);",
    // One line whatever the language: a long label ends in an ellipsis (its whole text is the button's title).
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:min(360px,calc(100vw - 40px))}",
    // Focus rings of at least 3:1 against what they sit on (WCAG 1.4.11): dark orange on white, yellow on blue.
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #c2410c;outline-offset:2px}",
    "header button:focus-visible{outline-color:#ffcc00}",
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:380px;max-width:calc(100vw - 24px);",
    "height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1a1a1a;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.35);overflow:hidden;font-size:15px;line-height:1.45}",
    ".panel[hidden],[hidden]{display:none}",
    "svg{width:20px;height:20px;flex:none;pointer-events:none}",
    "header{display:flex;align-items:center;gap:8px;background:#003399;color:#fff;padding:6px 8px 6px 12px}",
    "header h2{flex:1;min-width:0;margin:0;font-size:16px;line-height:1.25;display:-webkit-box;-webkit-box-orient:vertical;",
    "-webkit-line-clamp:2;line-clamp:2;overflow:hidden;overflow-wrap:anywhere}",
    "header button{display:inline-flex;align-items:center;justify-content:center;min-width:44px;min-height:44px;",
    "background:transparent;color:#fff;border:1px solid rgba(255,255,255,.7);border-radius:6px;padding:0 10px;cursor:pointer;font-size:13px}",
    "header button.close{padding:0}",
    "header button.reset{max-width:40%;line-height:1.15;padding:2px 8px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".msg{padding:8px 10px;border-radius:10px;max-width:92%;word-wrap:break-word}",
    ".text{white-space:pre-wrap}",
    ".user{align-self:flex-end;background:#e6ecf8;color:#0b1a3a}",
    ".bot{align-self:flex-start;background:#f3f3f3;color:#1a1a1a}",
    ".who{position:absolute;left:-9999px}",
    "a{color:#0645ad}",
    ".cite{text-decoration:none;font-weight:600;padding:0 1px}",
    ".cite:hover{text-decoration:underline}",
    ".sources-title{margin-top:6px;font-size:13px;font-weight:600}",
    ".sources{margin:2px 0 0;padding:0;list-style:none;font-size:13px}",
    ".sources li{display:flex;flex-wrap:wrap;align-items:center;gap:0 6px}",
    ".sources .n{flex:none;min-width:18px}",
    ".sources a,.sources .title{flex:1 1 200px;display:flex;align-items:center;min-height:44px;padding:2px 0}",
    ".excerpt{display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;padding:0;",
    "border:1px solid #888;background:#fff;color:#1a1a1a;border-radius:8px;cursor:pointer}",
    ".excerpt[aria-expanded=true] svg{transform:rotate(180deg)}",
    ".snippet{flex:1 1 100%;margin:2px 0 6px;padding:6px 8px;border-left:3px solid #8da2d6;background:#fff;white-space:pre-wrap}",
    ".rate{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin-top:6px}",
    ".rate button{display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;padding:0;",
    "border:1px solid #888;background:#fff;border-radius:8px;cursor:pointer;color:#1a1a1a}",
    ".rate button[aria-pressed=true]{background:#003399;color:#fff;border-color:#003399}",
    ".rate button:disabled{cursor:default}",
    ".rate button:disabled:not([aria-pressed=true]){opacity:.55}",
    ".rate-error{font-size:13px;color:#a00000}",
    ".thanked{font-size:13px;font-weight:600;color:#1a5e20}",
    ".comment{display:flex;flex-direction:column;gap:6px;margin-top:6px}",
    ".comment label{font-size:13px}",
    ".comment textarea{min-height:64px}",
    ".comment button{align-self:flex-start;min-height:44px;background:#003399;color:#fff;border:0;border-radius:8px;padding:0 14px;font-size:14px;cursor:pointer}",
    ".comment button:disabled{background:#6b7a99;cursor:default}",
    "form{display:flex;gap:8px;border-top:1px solid #ddd;padding:10px}",
    "textarea{flex:1;resize:none;border:1px solid #767676;border-radius:8px;padding:8px;font-size:15px;min-height:44px;max-height:120px;color:#1a1a1a;background:#fff}",
    "form button{min-width:44px;min-height:44px;background:#003399;color:#fff;border:0;border-radius:8px;padding:0 14px;font-size:15px;cursor:pointer}",
    "form button:disabled{background:#6b7a99;cursor:default}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}",
    ".launcher{right:12px;bottom:12px;max-width:calc(100vw - 24px)}}"
  ].join("");

  var ICONS = {
    up: [["path", { d: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3" }]],
    down: [["path", { d: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17" }]],
    close: [["line", { x1: "18", y1: "6", x2: "6", y2: "18" }], ["line", { x1: "6", y1: "6", x2: "18", y2: "18" }]],
    more: [["polyline", { points: "6 9 12 15 18 9" }]]
  };

  var uid = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    return node;
  }

  // A button showing an icon, named for assistive technology (aria-label) and for the pointer (title).
  function iconButton(name, label, attrs) {
    var b = el("button", attrs);
    b.setAttribute("type", "button");
    b.setAttribute("aria-label", label);
    b.setAttribute("title", label);
    var icon = svg("svg", { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": "2",
      "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" });
    ICONS[name].forEach(function (part) { icon.append(svg(part[0], part[1])); });
    b.append(icon);
    return b;
  }

  // The browser's copy of the server's one link check (assistant/links.py: safe_url): http(s) with a host only.
  function safeUrl(url) {
    if (typeof url !== "string" || /[\s\p{Cc}\p{Cf}]/u.test(url)) return null;
    try {
      var u = new URL(url);
      return (u.protocol === "https:" || u.protocol === "http:") && u.hostname ? u.href : null;
    } catch (e) { return null; }
  }

  function adoptStyles(root) {
    // A constructed stylesheet is not inline style: a page's CSP `style-src 'self'` leaves it alone.
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (e) { /* an older browser: fall back to a style element */ }
    }
    var style = el("style");
    style.textContent = CSS;
    root.append(style);
  }

  // What the site owner changes, in the one console message a refused widget writes: the script tag (no
  // data-site, or one the server does not know) or the site's origin list. It never names other sites.
  function explain(error) {
    var said = "twinning-assistant: not shown on this page. ", code = error && error.code;
    if (!/^https?:$/.test(location.protocol)) {
      said += "This page is opened as " + location.protocol + "//, which has no origin a site can list: the " +
        "widget must be served over http(s) from one of its site's origins in ASSISTANT_SITES.";
    } else if (!NAMED) {
      said += "The widget's script tag has no data-site attribute: add data-site=\"SITE-ID\" with your site's id " +
        "as configured in ASSISTANT_SITES on the assistant at " + API + ".";
    } else if (code === "site_not_configured") {
      said += "The site id \"" + SITE + "\" (the data-site attribute) is not configured on the assistant at " + API +
        ": check its spelling against the id the assistant's operator gave you (ASSISTANT_SITES).";
    } else {
      said += "The assistant at " + API + " does not serve site \"" + SITE + "\" on the page origin " +
        location.origin + ". ADD that origin (exactly: scheme, host and port) to the site's existing origins in " +
        "ASSISTANT_SITES on the assistant's server, keeping the others, e.g. ASSISTANT_SITES='{\"" + SITE +
        "\": [\"https://www.example.org\", \"" + location.origin + "\"]}'.";
    }
    console.error(said + " The server says: " + ((error && (error.message || error.code)) || "refused"));
  }

  // Is this site served on this page? A refusal (403, or 422 for a malformed site id) comes back readable; any
  // other outcome (network error, an older server without the route, a timeout) lets the widget try as before.
  function checkSite() {
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, 8000) : 0;
    // A same-origin GET carries no Origin header: the page names its origin, as its questions' Origin will.
    var query = "?site=" + encodeURIComponent(SITE) + "&origin=" + encodeURIComponent(location.origin);
    return fetch(API + "/api/widget/check" + query, {
      cache: "no-store", credentials: "omit", signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      if (res.status !== 403 && res.status !== 422) return null;
      return res.json().then(function (body) { return (body && body.error) || {}; }, function () { return {}; });
    }, function () { return null; }).then(function (refusal) {
      clearTimeout(timer);
      return refusal;
    });
  }

  function mount() {
    var host = el("div", { id: "twinning-assistant" });
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    adoptStyles(root);

    var launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "ta-panel",
      title: T.open }, T.open);
    var panel = el("section", { class: "panel", id: "ta-panel", role: "dialog", "aria-label": T.title, hidden: "" });
    var header = el("header");
    var title = el("h2", { title: T.title }, T.title);
    var resetBtn = el("button", { type: "button", class: "reset" }, T.reset);
    var closeBtn = iconButton("close", T.close, { class: "close" });
    header.append(title, resetBtn, closeBtn);
    var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions text" });
    var form = el("form");
    var label = el("label", { for: "ta-input", class: "sr" }, T.label);
    var input = el("textarea", { id: "ta-input", rows: "2", placeholder: T.placeholder, maxlength: "2000" });
    var sendBtn = el("button", { type: "submit" }, T.send);
    form.append(label, input, sendBtn);
    panel.append(header, log, form);
    root.append(launcher, panel);

    var explained = false;

    function refused(error) {
      if (!explained) { explained = true; explain(error); }
      throw new Error("refused");
    }

    function load() {
      try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]"); } catch (e) { return []; }
    }
    function save() {
      try { sessionStorage.setItem(STORE_KEY, JSON.stringify(turns.slice(-40))); } catch (e) { /* storage full or off */ }
    }
    var turns = load();

    // Bring a message into view: all of it when it fits, else from its start (never scrolled past its first line).
    function reveal(box) {
      var view = log.getBoundingClientRect(), b = box.getBoundingClientRect();
      var top = log.scrollTop + b.top - view.top - 8, bottom = log.scrollTop + b.bottom - view.top + 8;
      log.scrollTop = Math.max(0, Math.min(bottom - log.clientHeight, top));
    }

    function addMessage(role, text) {
      var box = el("div", { class: "msg " + (role === "user" ? "user" : "bot") });
      box.append(el("span", { class: "who" }, (role === "user" ? T.you : T.bot) + ": "));
      var body = el("span", { class: "text" }, text);
      box.append(body);
      log.append(box);
      reveal(box);
      return { box: box, body: body };
    }

    // The answer's text, its [n] markers made links to source n (when it has an http(s) page); all else is text.
    function showAnswer(body, text, sources) {
      body.textContent = "";
      var marker = /\[(\d{1,3})\]/g, last = 0, m;
      while ((m = marker.exec(text)) !== null) {
        var source = sources[Number(m[1]) - 1], url = source && safeUrl(source.url);
        if (!url) continue;
        body.append(document.createTextNode(text.slice(last, m.index)));
        var name = String(source.title || "");
        body.append(el("a", { class: "cite", href: url, target: "_blank", rel: "noopener noreferrer", title: name,
          "aria-label": T.source + " " + m[1] + ": " + name }, m[0]));
        last = marker.lastIndex;
      }
      body.append(document.createTextNode(text.slice(last)));
    }

    function addSources(box, sources) {
      if (!sources || !sources.length) return;
      var heading = el("div", { class: "sources-title" }, T.sources + ":");
      var list = el("ol", { class: "sources" });
      sources.forEach(function (s, i) {
        var item = el("li");
        item.append(el("span", { class: "n", "aria-hidden": "true" }, i + 1 + "."));
        var url = safeUrl(s.url);
        item.append(url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, s.title)
          : el("span", { class: "title" }, s.title));
        if (s.snippet) {
          var id = "ta-snippet-" + (++uid);
          var toggle = iconButton("more", T.excerpt + " " + (i + 1), { class: "excerpt", "aria-expanded": "false", "aria-controls": id });
          var snippet = el("p", { class: "snippet", id: id, hidden: "" }, s.snippet);
          toggle.addEventListener("click", function () {
            snippet.hidden = !snippet.hidden;
            toggle.setAttribute("aria-expanded", String(!snippet.hidden));
          });
          item.append(toggle, snippet);
        }
        list.append(item);
      });
      box.append(heading, list);
    }

    // Thumbs up sends at once; thumbs down first offers a comment. A rating stored by the server is kept with the
    // turn (sessionStorage): its buttons stay pressed and disabled, so it is never sent twice.
    function addRating(box, turn, question) {
      var bar = el("div", { class: "rate", role: "group", "aria-label": T.up + " / " + T.down });
      var up = iconButton("up", T.up, { "aria-pressed": "false", "data-rating": "up" });
      var down = iconButton("down", T.down, { "aria-pressed": "false", "data-rating": "down", "aria-expanded": "false" });
      var status = el("span", { class: "sr", role: "status" });
      var thanked = el("span", { class: "thanked", "aria-hidden": "true", hidden: "" }, T.thanked);  // status says it
      bar.append(up, down, thanked, status);
      box.append(bar);
      var comment = null;

      function setState(pressed, disabled) {
        [up, down].forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.getAttribute("data-rating") === pressed));
          b.disabled = disabled;
        });
      }
      function closeComment() {
        if (comment) comment.remove();
        comment = null;
        down.setAttribute("aria-expanded", "false");
      }
      function send(rating, text) {
        var typing = comment && comment.contains(root.activeElement);  // its controls are disabled below
        setState(rating, true);
        if (comment) comment.querySelectorAll("button,textarea").forEach(function (x) { x.disabled = true; });
        status.className = "sr";
        status.textContent = "";
        fetch(API + "/api/feedback", {
          method: "POST", headers: { "Content-Type": "application/json", "X-Assistant-Site": SITE },
          body: JSON.stringify({ rating: rating, question: question, answer: turn.content, sources: turn.sources || [],
            comment: text || null, site: SITE })
        }).then(function (res) {
          if (!res.ok) throw new Error("http " + res.status);
          turn.rating = rating;
          save();
          closeComment();
          if (typing) input.focus();  // the comment box is gone: back to the question box, not to nowhere
          status.textContent = T.thanks;
          thanked.hidden = false;
          (rating === "up" ? up : down).after(thanked);  // shown beside the pressed thumb
        }).catch(function () {
          // Not stored (store full or read-only, offline, refused): say so, and let the reader try again.
          setState(comment ? "down" : null, false);
          if (comment) comment.querySelectorAll("button,textarea").forEach(function (x) { x.disabled = false; });
          if (typing && comment) comment.querySelector("button").focus();
          status.className = "rate-error";
          status.textContent = T.error;
        });
      }

      if (turn.rating) {
        setState(turn.rating, true);
        thanked.hidden = false;
        (turn.rating === "up" ? up : down).after(thanked);
        return;
      }
      up.addEventListener("click", function () { closeComment(); send("up"); });
      down.addEventListener("click", function () {
        if (comment) { closeComment(); setState(null, false); return; }
        setState("down", false);
        down.setAttribute("aria-expanded", "true");
        var id = "ta-comment-" + (++uid);
        comment = el("div", { class: "comment" });
        var area = el("textarea", { id: id, rows: "2", maxlength: "2000" });
        var go = el("button", { type: "button", class: "send-comment" }, T.sendFeedback);
        go.addEventListener("click", function () { send("down", area.value.trim()); });
        comment.append(el("label", { for: id }, T.comment), area, go);
        box.append(comment);
        reveal(comment);  // the whole form, its send button included, not the answer's first line
        area.focus({ preventScroll: true });
      });
    }

    function addAnswer(reply, turn, question) {
      showAnswer(reply.body, turn.content, turn.sources || []);
      addSources(reply.box, turn.sources);
      addRating(reply.box, turn, question);
    }

    function render() {
      log.textContent = "";
      addMessage("assistant", T.welcome);
      var lastQuestion = "", last = null;
      turns.forEach(function (t) {
        var m = addMessage(t.role, t.content);
        if (t.role === "user") lastQuestion = t.content;
        if (t.role === "assistant") { addAnswer(m, t, lastQuestion); last = m.box; }
      });
      if (last) reveal(last);
    }

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      if (log.lastElementChild) reveal(log.lastElementChild);
      input.focus();
    }
    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }
    launcher.addEventListener("click", function () { panel.hidden ? open() : close(); });
    closeBtn.addEventListener("click", close);
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    resetBtn.addEventListener("click", function () { turns = []; save(); render(); input.focus(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });

    // A question enters the saved history only with its answer: a failed one is shown, not saved, and put back in
    // the input to try again.
    async function ask(question) {
      var history = turns.map(function (t) { return { role: t.role, content: t.content }; }).slice(-20);
      addMessage("user", question);
      var reply = addMessage("assistant", T.thinking);
      reply.box.setAttribute("aria-busy", "true");
      var text = "", sources = [], started = false;
      try {
        var res;
        try {
          res = await fetch(API + "/api/ask/stream", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Assistant-Site": SITE },
            body: JSON.stringify({ question: question, history: history })
          });
        } catch (err) {
          // A refused CORS preflight (the site's origins changed since load) reads as a network error: ask again.
          var refusal = await checkSite();
          if (refusal) refused(refusal);
          throw err;
        }
        if (res.status === 401 || res.status === 403) {
          var body = await res.json().catch(function () { return {}; });
          refused(body.error);
        }
        if (!res.ok || !res.body) throw new Error(res.status === 429 ? "busy" : "http " + res.status);
        var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true });
          var parts = buffer.split("\n\n");
          buffer = parts.pop();
          parts.forEach(function (part) {
            var event = "message", data = "";
            part.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) event = line.slice(7);
              else if (line.indexOf("data: ") === 0) data += line.slice(6);
            });
            if (!data) return;
            var payload = JSON.parse(data);
            if (event === "delta") {
              if (!started) { reply.body.textContent = ""; started = true; }
              text += payload.text;
              reply.body.textContent = text;
            } else if (event === "reset") {
              text = ""; reply.body.textContent = "";
            } else if (event === "sources") {
              sources = payload;
            } else if (event === "done") {
              text = payload.answer; reply.body.textContent = text;
            } else if (event === "error") {
              throw new Error("stream");
            }
            reveal(reply.box);
          });
        }
        if (!text) throw new Error("empty");
        var turn = { role: "assistant", content: text, sources: sources };
        turns.push({ role: "user", content: question }, turn);
        save();
        addAnswer(reply, turn, question);
      } catch (e) {
        var why = e && e.message;
        reply.body.textContent = why === "busy" ? T.busy : why === "refused" ? T.unavailable : T.error;
        if (!input.value) input.value = question;
      } finally {
        reply.box.removeAttribute("aria-busy");
        reveal(reply.box);
      }
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (!q || sendBtn.disabled) return;
      input.value = "";
      sendBtn.disabled = true;
      ask(q).finally(function () { sendBtn.disabled = false; input.focus(); });
    });

    render();
  }

  checkSite().then(function (refusal) {
    if (refusal) explain(refusal);
    else mount();
  });
})();
