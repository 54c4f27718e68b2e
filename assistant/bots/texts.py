"""The Telegram bot's own words, per language (answers follow each question's language)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": "Hello! I answer questions about EU town-twinning funding: the CERV programme, its Town Twinning "
        "and Networks of Towns calls, and CEMR's twinning work. Just ask, for example: <i>When is the Town "
        "Twinning deadline?</i> /help lists what I can do.",
        "help": "Ask a question in any message (in groups: mention me or reply to me).\n/deadlines upcoming "
        "deadlines\n/sources full sources of my last answer\n/subscribe deadline reminders ({days} days before)\n"
        "/unsubscribe stop reminders\n/lang choose my language (en, fr, it, hu, ro, de, es)\n/reset start over",
        "reset": "Done: I have forgotten our conversation.",
        "no_sources": "My last answer had no sources.",
        "sources": "Sources of my last answer:",
        "deadlines": "Upcoming deadlines (today is {today}):",
        "no_deadlines": "No call in my documents has a deadline still ahead (today is {today}). The most recent "
        "was {title} on {date}. New calls appear on the EU Funding &amp; Tenders Portal.",
        "subscribed": "Subscribed: I will remind this chat {days} days before each upcoming deadline.",
        "unsubscribed": "Unsubscribed: no more deadline reminders.",
        "reminder": "Reminder: the deadline of {title} is {date}, in {days} days.",
        "lang_set": "From now on I answer in English.",
        "lang_usage": "Use /lang followed by one of: en, fr, it, hu, ro, de, es.",
        "slow_down": "You are asking faster than I can answer well. Please wait a minute.",
        "sorry": "Sorry, something went wrong while answering. Please try again in a moment.",
    },
    "fr": {
        "welcome": "Bonjour ! Je réponds aux questions sur le financement européen des jumelages : le programme CERV, "
        "ses appels Jumelage de villes et Réseaux de villes, et le travail du CCRE. /help liste ce que je sais faire.",
        "help": "Posez votre question dans un message (en groupe : mentionnez-moi ou répondez-moi).\n/deadlines "
        "prochaines dates limites\n/sources sources de ma dernière réponse\n/subscribe rappels ({days} jours avant)\n"
        "/unsubscribe arrêter les rappels\n/lang choisir ma langue\n/reset recommencer",
        "reset": "C'est fait : j'ai oublié notre conversation.",
        "no_sources": "Ma dernière réponse n'avait pas de sources.",
        "sources": "Sources de ma dernière réponse :",
        "deadlines": "Prochaines dates limites (nous sommes le {today}) :",
        "no_deadlines": "Aucun appel de mes documents n'a de date limite à venir (nous sommes le {today}). La plus "
        "récente était {title}, le {date}. Les nouveaux appels paraissent sur le portail Funding &amp; Tenders.",
        "subscribed": "Abonné : je rappellerai chaque date limite {days} jours avant.",
        "unsubscribed": "Désabonné : plus de rappels.",
        "reminder": "Rappel : la date limite de {title} est le {date}, dans {days} jours.",
        "lang_set": "Je réponds désormais en français.",
        "lang_usage": "Utilisez /lang suivi de : en, fr, it, hu, ro, de, es.",
        "slow_down": "Vous posez des questions plus vite que je ne peux bien répondre. Patientez une minute.",
        "sorry": "Désolé, une erreur s'est produite. Réessayez dans un instant.",
    },
    "it": {
        "welcome": "Buongiorno! Rispondo a domande sui finanziamenti UE per i gemellaggi: il programma CERV, i bandi "
        "Gemellaggio di città e Reti di città, e il lavoro del CCRE. /help elenca che cosa so fare.",
        "help": "Scriva la domanda in un messaggio (nei gruppi: mi menzioni o mi risponda).\n/deadlines prossime "
        "scadenze\n/sources fonti dell'ultima risposta\n/subscribe promemoria ({days} giorni prima)\n/unsubscribe "
        "basta promemoria\n/lang scegliere la lingua\n/reset ricominciare",
        "reset": "Fatto: ho dimenticato la conversazione.",
        "no_sources": "L'ultima risposta non aveva fonti.",
        "sources": "Fonti dell'ultima risposta:",
        "deadlines": "Prossime scadenze (oggi è il {today}):",
        "no_deadlines": "Nessun bando nei miei documenti ha una scadenza futura (oggi è il {today}). L'ultima era "
        "{title}, il {date}. I nuovi bandi sono pubblicati sul portale Funding &amp; Tenders.",
        "subscribed": "Iscrizione fatta: ricorderò ogni scadenza {days} giorni prima.",
        "unsubscribed": "Iscrizione annullata: niente più promemoria.",
        "reminder": "Promemoria: la scadenza di {title} è il {date}, tra {days} giorni.",
        "lang_set": "D'ora in poi rispondo in italiano.",
        "lang_usage": "Usi /lang seguito da: en, fr, it, hu, ro, de, es.",
        "slow_down": "Sta facendo domande più in fretta di quanto io possa rispondere bene. Attenda un minuto.",
        "sorry": "Spiacenti, si è verificato un errore. Riprovi tra poco.",
    },
    "hu": {
        "welcome": "Jó napot! A testvértelepülési kapcsolatok uniós támogatásáról válaszolok: CERV program, "
        "testvértelepülési és településhálózati felhívások, CEMR. A /help megmutatja, mit tudok.",
        "help": "Írja meg kérdését (csoportban: említsen meg vagy válaszoljon nekem).\n/deadlines közelgő "
        "határidők\n/sources az utolsó válasz forrásai\n/subscribe emlékeztető ({days} nappal előtte)\n"
        "/unsubscribe emlékeztetők leállítása\n/lang nyelvválasztás\n/reset újrakezdés",
        "reset": "Kész: elfelejtettem a beszélgetést.",
        "no_sources": "Az utolsó válaszomnak nem voltak forrásai.",
        "sources": "Az utolsó válaszom forrásai:",
        "deadlines": "Közelgő határidők (ma {today} van):",
        "no_deadlines": "A dokumentumaimban nincs még le nem járt határidejű felhívás (ma {today} van). A "
        "legutóbbi: {title}, {date}. Az új felhívások a Funding &amp; Tenders portálon jelennek meg.",
        "subscribed": "Feliratkozva: minden határidő előtt {days} nappal szólok.",
        "unsubscribed": "Leiratkozva: nincs több emlékeztető.",
        "reminder": "Emlékeztető: a(z) {title} határideje {date}, {days} nap múlva.",
        "lang_set": "Mostantól magyarul válaszolok.",
        "lang_usage": "Használja: /lang en, fr, it, hu, ro, de vagy es.",
        "slow_down": "Gyorsabban kérdez, mint ahogy jól válaszolni tudok. Kérem, várjon egy percet.",
        "sorry": "Elnézést, hiba történt. Kérem, próbálja újra kicsit később.",
    },
    "ro": {
        "welcome": "Bună ziua! Răspund la întrebări despre finanțarea UE pentru înfrățirea orașelor: programul CERV, "
        "apelurile Înfrățire de orașe și Rețele de orașe, activitatea CEMR. /help arată ce pot face.",
        "help": "Scrieți întrebarea într-un mesaj (în grupuri: menționați-mă sau răspundeți-mi).\n/deadlines "
        "termene apropiate\n/sources sursele ultimului răspuns\n/subscribe mementouri ({days} zile înainte)\n"
        "/unsubscribe oprirea mementourilor\n/lang alegerea limbii\n/reset de la capăt",
        "reset": "Gata: am uitat conversația.",
        "no_sources": "Ultimul meu răspuns nu a avut surse.",
        "sources": "Sursele ultimului meu răspuns:",
        "deadlines": "Termene apropiate (astăzi este {today}):",
        "no_deadlines": "Niciun apel din documentele mele nu are un termen viitor (astăzi este {today}). Cel mai "
        "recent a fost {title}, pe {date}. Apelurile noi apar pe portalul Funding &amp; Tenders.",
        "subscribed": "Abonat: voi aminti fiecare termen cu {days} zile înainte.",
        "unsubscribed": "Dezabonat: fără mementouri.",
        "reminder": "Memento: termenul pentru {title} este {date}, peste {days} zile.",
        "lang_set": "De acum răspund în română.",
        "lang_usage": "Folosiți /lang urmat de: en, fr, it, hu, ro, de, es.",
        "slow_down": "Întrebați mai repede decât pot răspunde bine. Așteptați un minut.",
        "sorry": "Ne pare rău, a apărut o eroare. Încercați din nou puțin mai târziu.",
    },
    "de": {
        "welcome": "Guten Tag! Ich beantworte Fragen zur EU-Förderung von Städtepartnerschaften: das Programm CERV, "
        "seine Aufrufe und die Arbeit des RGRE. /help zeigt, was ich kann.",
        "help": "Stellen Sie Ihre Frage in einer Nachricht (in Gruppen: erwähnen Sie mich oder antworten Sie mir).\n"
        "/deadlines nächste Fristen\n/sources Quellen meiner letzten Antwort\n/subscribe Erinnerungen ({days} Tage "
        "vorher)\n/unsubscribe keine Erinnerungen mehr\n/lang Sprache wählen\n/reset neu beginnen",
        "reset": "Erledigt: Ich habe unser Gespräch vergessen.",
        "no_sources": "Meine letzte Antwort hatte keine Quellen.",
        "sources": "Quellen meiner letzten Antwort:",
        "deadlines": "Nächste Fristen (heute ist der {today}):",
        "no_deadlines": "Keine Ausschreibung in meinen Dokumenten hat eine noch offene Frist (heute ist der {today}). "
        "Die letzte war {title} am {date}. Neue Aufrufe erscheinen im Funding &amp; Tenders Portal.",
        "subscribed": "Abonniert: Ich erinnere {days} Tage vor jeder Frist.",
        "unsubscribed": "Abbestellt: keine Erinnerungen mehr.",
        "reminder": "Erinnerung: Die Frist für {title} ist am {date}, in {days} Tagen.",
        "lang_set": "Ab jetzt antworte ich auf Deutsch.",
        "lang_usage": "Verwenden Sie /lang mit: en, fr, it, hu, ro, de, es.",
        "slow_down": "Sie fragen schneller, als ich gut antworten kann. Bitte warten Sie eine Minute.",
        "sorry": "Entschuldigung, ein Fehler ist aufgetreten. Bitte versuchen Sie es gleich noch einmal.",
    },
    "es": {
        "welcome": "¡Hola! Respondo preguntas sobre la financiación europea de hermanamientos: el programa CERV, sus "
        "convocatorias y el trabajo del CMRE. /help muestra lo que puedo hacer.",
        "help": "Escriba su pregunta (en grupos: mencióneme o respóndame).\n/deadlines próximos plazos\n/sources "
        "fuentes de mi última respuesta\n/subscribe recordatorios ({days} días antes)\n/unsubscribe sin "
        "recordatorios\n/lang elegir idioma\n/reset empezar de nuevo",
        "reset": "Hecho: he olvidado nuestra conversación.",
        "no_sources": "Mi última respuesta no tenía fuentes.",
        "sources": "Fuentes de mi última respuesta:",
        "deadlines": "Próximos plazos (hoy es {today}):",
        "no_deadlines": "Ninguna convocatoria de mis documentos tiene plazo abierto (hoy es {today}). El más reciente "
        "fue {title}, el {date}. Las nuevas convocatorias aparecen en el portal Funding &amp; Tenders.",
        "subscribed": "Suscrito: recordaré cada plazo {days} días antes.",
        "unsubscribed": "Suscripción cancelada: no más recordatorios.",
        "reminder": "Recordatorio: el plazo de {title} vence el {date}, dentro de {days} días.",
        "lang_set": "A partir de ahora respondo en español.",
        "lang_usage": "Use /lang seguido de: en, fr, it, hu, ro, de, es.",
        "slow_down": "Pregunta más rápido de lo que puedo responder bien. Espere un minuto.",
        "sorry": "Lo siento, algo ha fallado. Inténtelo de nuevo en un momento.",
    },
}

COMMANDS = [
    ("start", "Welcome"),
    ("help", "What I can do"),
    ("deadlines", "Upcoming deadlines"),
    ("sources", "Full sources of my last answer"),
    ("subscribe", "Deadline reminders"),
    ("unsubscribe", "Stop deadline reminders"),
    ("lang", "Choose my language"),
    ("reset", "Start over"),
]


def text(lang: str, key: str, **values: object) -> str:
    return (TEXTS.get(lang) or TEXTS["en"])[key].format(**values)
