/* twinning-assistant chat widget.
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-site="aiccre" data-lang="it" async></script>
 * Everything lives in a Shadow DOM (the page's CSS cannot reach in, ours cannot leak out). Text from answers,
 * documents and users is only ever set with textContent: markup in them can never run in the host page.
 * The conversation is kept in sessionStorage and sent with each question (the API is stateless).
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__twinningAssistantLoaded) return;
  window.__twinningAssistantLoaded = true;

  var API = new URL(script.src, location.href).origin;
  var SITE = script.getAttribute("data-site") || "default";
  var STORE_KEY = "twinning-assistant:" + SITE;

  var WORDS = {
    en: { open: "Ask about twinning funding", title: "Twinning funding assistant", close: "Close",
      reset: "New conversation", placeholder: "Ask about CERV, town twinning, REALISE...", send: "Send",
      label: "Your question", sources: "Sources", up: "Helpful", down: "Not helpful", thanks: "Thank you for the feedback.",
      error: "Sorry, something went wrong. Please try again.", busy: "Too many questions at once. Please wait a moment.",
      welcome: "Hello! Ask me about EU town-twinning funding: CERV calls, deadlines, amounts, eligibility, CEMR.",
      you: "You", bot: "Assistant", thinking: "Looking in the documents..." },
    fr: { open: "Questions sur le financement des jumelages", title: "Assistant financement des jumelages",
      close: "Fermer", reset: "Nouvelle conversation", placeholder: "Posez votre question sur CERV, les jumelages...",
      send: "Envoyer", label: "Votre question", sources: "Sources", up: "Utile", down: "Pas utile",
      thanks: "Merci pour votre avis.", error: "Désolé, une erreur s'est produite. Veuillez réessayer.",
      busy: "Trop de questions à la fois. Patientez un instant.",
      welcome: "Bonjour ! Posez-moi vos questions sur le financement européen des jumelages : appels CERV, dates limites, montants, éligibilité, CCRE.",
      you: "Vous", bot: "Assistant", thinking: "Recherche dans les documents..." },
    it: { open: "Domande sui finanziamenti per i gemellaggi", title: "Assistente finanziamenti gemellaggi",
      close: "Chiudi", reset: "Nuova conversazione", placeholder: "Chieda di CERV, gemellaggi, REALISE...",
      send: "Invia", label: "La sua domanda", sources: "Fonti", up: "Utile", down: "Non utile",
      thanks: "Grazie per il riscontro.", error: "Spiacenti, si è verificato un errore. Riprovi.",
      busy: "Troppe domande insieme. Attenda un momento.",
      welcome: "Buongiorno! Mi chieda dei finanziamenti UE per i gemellaggi: bandi CERV, scadenze, importi, requisiti, CCRE.",
      you: "Lei", bot: "Assistente", thinking: "Cerco nei documenti..." },
    hu: { open: "Kérdések a testvértelepülési támogatásokról", title: "Testvértelepülési támogatási asszisztens",
      close: "Bezárás", reset: "Új beszélgetés", placeholder: "Kérdezzen a CERV-ről, testvértelepülésekről...",
      send: "Küldés", label: "Az Ön kérdése", sources: "Források", up: "Hasznos", down: "Nem hasznos",
      thanks: "Köszönjük a visszajelzést.", error: "Sajnos hiba történt. Kérjük, próbálja újra.",
      busy: "Túl sok kérdés egyszerre. Kérjük, várjon egy kicsit.",
      welcome: "Jó napot! Kérdezzen a testvértelepülési kapcsolatok uniós támogatásáról: CERV-felhívások, határidők, összegek, jogosultság, CEMR.",
      you: "Ön", bot: "Asszisztens", thinking: "Keresés a dokumentumokban..." },
    ro: { open: "Întrebări despre finanțarea înfrățirilor", title: "Asistent pentru finanțarea înfrățirilor",
      close: "Închide", reset: "Conversație nouă", placeholder: "Întrebați despre CERV, înfrățiri, REALISE...",
      send: "Trimite", label: "Întrebarea dumneavoastră", sources: "Surse", up: "Util", down: "Nu este util",
      thanks: "Vă mulțumim pentru feedback.", error: "Ne pare rău, a apărut o eroare. Încercați din nou.",
      busy: "Prea multe întrebări deodată. Așteptați puțin.",
      welcome: "Bună ziua! Întrebați-mă despre finanțarea UE pentru înfrățirea orașelor: apeluri CERV, termene, sume, eligibilitate, CEMR.",
      you: "Dvs.", bot: "Asistent", thinking: "Caut în documente..." },
    de: { open: "Fragen zur Förderung von Städtepartnerschaften", title: "Assistent für Partnerschaftsförderung",
      close: "Schließen", reset: "Neues Gespräch", placeholder: "Fragen Sie zu CERV, Städtepartnerschaften...",
      send: "Senden", label: "Ihre Frage", sources: "Quellen", up: "Hilfreich", down: "Nicht hilfreich",
      thanks: "Danke für Ihre Rückmeldung.", error: "Leider ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.",
      busy: "Zu viele Fragen auf einmal. Bitte warten Sie einen Moment.",
      welcome: "Guten Tag! Fragen Sie mich zur EU-Förderung von Städtepartnerschaften: CERV-Aufrufe, Fristen, Beträge, Förderfähigkeit, RGRE.",
      you: "Sie", bot: "Assistent", thinking: "Suche in den Dokumenten..." }
  };
  var pageLang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2).toLowerCase();
  var LANG = (script.getAttribute("data-lang") || pageLang || "en").slice(0, 2).toLowerCase();
  var T = WORDS[LANG] || WORDS.en;

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#003399;color:#fff;border:0;",
    "border-radius:28px;padding:14px 20px;font-size:15px;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3)}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #ffcc00;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483000;width:380px;max-width:calc(100vw - 24px);",
    "height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#1a1a1a;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.35);overflow:hidden;font-size:15px;line-height:1.45}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:8px;background:#003399;color:#fff;padding:10px 12px}",
    "header h2{flex:1;margin:0;font-size:16px}",
    "header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.7);border-radius:6px;padding:4px 8px;cursor:pointer;font-size:13px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}",
    ".msg{padding:8px 10px;border-radius:10px;max-width:92%;white-space:pre-wrap;word-wrap:break-word}",
    ".user{align-self:flex-end;background:#e6ecf8;color:#0b1a3a}",
    ".bot{align-self:flex-start;background:#f3f3f3;color:#1a1a1a}",
    ".who{position:absolute;left:-9999px}",
    ".sources{margin:6px 0 0;padding-left:18px;font-size:13px}",
    ".sources a{color:#0645ad}",
    ".rate{display:flex;gap:6px;margin-top:6px}",
    ".rate button{border:1px solid #888;background:#fff;border-radius:6px;cursor:pointer;padding:2px 8px;font-size:14px;color:#1a1a1a}",
    ".rate button[aria-pressed=true]{background:#003399;color:#fff;border-color:#003399}",
    ".rate-error{align-self:center;font-size:13px;color:#a00000}",
    "form{display:flex;gap:8px;border-top:1px solid #ddd;padding:10px}",
    "textarea{flex:1;resize:none;border:1px solid #767676;border-radius:8px;padding:8px;font-size:15px;min-height:44px;max-height:120px;color:#1a1a1a}",
    "form button{background:#003399;color:#fff;border:0;border-radius:8px;padding:0 14px;font-size:15px;cursor:pointer}",
    "form button:disabled{background:#6b7a99;cursor:default}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}",
    ".launcher{right:12px;bottom:12px}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  var host = el("div", { id: "twinning-assistant" });
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  root.appendChild(style);

  var launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "ta-panel" }, T.open);
  var panel = el("section", { class: "panel", id: "ta-panel", role: "dialog", "aria-label": T.title, hidden: "" });
  var header = el("header");
  var title = el("h2", null, T.title);
  var resetBtn = el("button", { type: "button", class: "reset" }, T.reset);
  var closeBtn = el("button", { type: "button", class: "close", "aria-label": T.close }, "✕");
  header.append(title, resetBtn, closeBtn);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions text" });
  var form = el("form");
  var label = el("label", { for: "ta-input", class: "sr" }, T.label);
  var input = el("textarea", { id: "ta-input", rows: "2", placeholder: T.placeholder, maxlength: "2000" });
  var sendBtn = el("button", { type: "submit" }, T.send);
  form.append(label, input, sendBtn);
  panel.append(header, log, form);
  root.append(launcher, panel);

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]"); } catch (e) { return []; }
  }
  function save(turns) {
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(turns.slice(-40))); } catch (e) { /* storage full or off */ }
  }
  var turns = load();

  // The browser's copy of the server's one link check (assistant/links.py: safe_url): http(s) with a host only.
  function safeUrl(url) {
    try {
      var u = new URL(url);
      return (u.protocol === "https:" || u.protocol === "http:") && u.hostname ? u.href : null;
    } catch (e) { return null; }
  }

  function addMessage(role, text) {
    var box = el("div", { class: "msg " + (role === "user" ? "user" : "bot") });
    box.append(el("span", { class: "who" }, (role === "user" ? T.you : T.bot) + ": "));
    var body = el("span", { class: "text" }, text);
    box.append(body);
    log.append(box);
    log.scrollTop = log.scrollHeight;
    return { box: box, body: body };
  }

  function addSources(box, sources) {
    if (!sources || !sources.length) return;
    var heading = el("div", { class: "sources-title" }, T.sources + ":");
    var list = el("ol", { class: "sources" });
    sources.forEach(function (s) {
      var item = el("li");
      var url = s.url && safeUrl(s.url);
      if (url) {
        var a = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, s.title);
        item.append(a);
      } else {
        item.textContent = s.title;
      }
      list.append(item);
    });
    box.append(heading, list);
  }

  function addRating(box, question, answer, sources) {
    var bar = el("div", { class: "rate", role: "group", "aria-label": T.up + " / " + T.down });
    var status = el("span", { class: "sr", role: "status" });
    [["up", "👍", T.up], ["down", "👎", T.down]].forEach(function (r) {
      var b = el("button", { type: "button", "aria-label": r[2], "aria-pressed": "false", "data-rating": r[0] }, r[1]);
      b.addEventListener("click", function () {
        bar.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", "false"); x.disabled = true; });
        b.setAttribute("aria-pressed", "true");
        status.className = "sr";
        status.textContent = "";
        fetch(API + "/api/feedback", {
          method: "POST", headers: { "Content-Type": "application/json", "X-Assistant-Site": SITE },
          body: JSON.stringify({ rating: r[0], question: question, answer: answer, sources: sources || [], site: SITE })
        }).then(function (res) {
          if (!res.ok) throw new Error("http " + res.status);
          status.textContent = T.thanks;
        }).catch(function () {
          // Not stored (store full or read-only, offline, refused): say so, and let the reader try again.
          bar.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", "false"); x.disabled = false; });
          status.className = "rate-error";
          status.textContent = T.error;
        });
      });
      bar.append(b);
    });
    bar.append(status);
    box.append(bar);
  }

  function render() {
    log.textContent = "";
    addMessage("assistant", T.welcome);
    var lastQuestion = "";
    turns.forEach(function (t) {
      var m = addMessage(t.role, t.content);
      if (t.role === "user") lastQuestion = t.content;
      if (t.role === "assistant") { addSources(m.box, t.sources); addRating(m.box, lastQuestion, t.content, t.sources); }
    });
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
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
  resetBtn.addEventListener("click", function () { turns = []; save(turns); render(); input.focus(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });

  async function ask(question) {
    var history = turns.map(function (t) { return { role: t.role, content: t.content }; }).slice(-20);
    addMessage("user", question);
    turns.push({ role: "user", content: question });
    save(turns);
    var reply = addMessage("assistant", T.thinking);
    reply.box.setAttribute("aria-busy", "true");
    var text = "", sources = [], started = false;
    try {
      var res = await fetch(API + "/api/ask/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Assistant-Site": SITE },
        body: JSON.stringify({ question: question, history: history })
      });
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
          log.scrollTop = log.scrollHeight;
        });
      }
      addSources(reply.box, sources);
      addRating(reply.box, question, text, sources);
      turns.push({ role: "assistant", content: text, sources: sources });
      save(turns);
    } catch (e) {
      reply.body.textContent = e && e.message === "busy" ? T.busy : T.error;
    } finally {
      reply.box.removeAttribute("aria-busy");
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
})();
