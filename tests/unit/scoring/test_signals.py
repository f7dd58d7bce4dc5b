"""Plain-language signals: asking for a human and negative feedback, phrased the ways customers do."""

from __future__ import annotations

import pytest

from baton.scoring.fakes import snapshot
from baton.scoring.signals import asks_for_human, bot_confidence, may_ask_for_human, negative_feedback


@pytest.mark.parametrize(
    "text",
    [
        "Can I talk to a human?",
        # someone in charge asked for in Italian, Spanish, French (the thirtieth conversation set's round)
        "voglio parlare con Marco o con un responsabile",
        "quiero hablar con el encargado",
        "Je veux parler à un responsable.",
        # put through to someone in six languages (the thirty-fourth conversation set's round)
        "que no!!! pásame con alguien de bajas",
        "ou passez-moi un conseiller, s'il vous plaît",
        "mi passi un operatore per favore",
        "Verbinden Sie mich bitte mit einem Mitarbeiter",
        "me transfere para um atendente",
        "verbind me door met een medewerker",
        "I want to speak to someone",
        "please connect me with an agent",
        "Is there a real person I can chat with",
        "get me a representative",
        "Agent!",
        "human please",
        "transfer me to your billing team",
        "can I speak with our account manager",
        "I'm tired of this bot",
        "I don't want to talk to a bot",
        "please escalate this",
        "the agent said yesterday it was fixed. I want to talk to a manager",
        "CAN I TALK TO SOMEONE",
        "Je voudrais parler à un conseiller",
        "quiero hablar con una persona",
        "Ich möchte mit einem Mitarbeiter sprechen",
        "posso falar com um atendente?",
        "vorrei parlare con un operatore",
        # round 7: a call or a person asked for in other words
        "have someone from accounts ring me this afternoon",
        "let somebody call me abeg",
        "Could a member of your bookings team please call me?",
        "Can a dental nurse call me about the invoice?",
        "Call me back when someone is free.",
        "Is there a single human being working there?",
        "bot this is useless, who is in charge over there",
        "get me your escalation manager",
        "I don't want the FAQ, I want a person",
        # 2026-12: someone on the phone, a person in charge in German
        "PAYROLL DIDNT GO OUT. My head chef is threatening to walk. I need someone on the phone now.",
        "get someone on the phone who can approve it",
        "Ich will sofort mit einem Verantwortlichen sprechen!",
        # round 8: a call or a meeting with a team, someone put in touch, a person by rank, terse requests
        "Is it possible to book a phone call with your accounts team tomorrow?",
        "we need a callback from your integrations team",
        "please connect me with someone from claims",
        "I want to speak with whoever handles refunds",
        "can an actual staff member check my booking?",
        "could your area manager call me back this week",
        "can someone ring my dad? he doesn't use chat",
        "who's a person I can talk to about this",
        "she asked for someone senior to call her",
        "no more bot. human pls",
        # trigger round 14: other languages, a team lead looped in, waiting for a person
        "Kan ik een medewerker spreken over mijn factuur?",
        "Ik wil graag iemand van de klantenservice spreken.",  # the twenty-sixth conversation author's
        "Ik wil graag een echt mens aan de telefoon.",
        "Können Sie mich bitte mit jemandem aus der Buchhaltung sprechen lassen?",
        "Gibt es bei Ihnen überhaupt noch Menschen?",
        "¿Me puede llamar alguien esta tarde?",
        "Je voudrais être rappelée par une conseillère.",
        "Alguém pode me ligar amanhã?",
        "Qualcuno mi può richiamare oggi?",
        "Chcę porozmawiać z konsultantem.",
        "Please loop in our account manager on this.",
        "Could your team lead call me before five?",
        "I'll wait for a real person to reply.",
        "Is there a number where somebody actually answers?",
        # the twenty-third conversation author's: Swedish, Portuguese
        "Vi behöver prata med någon på kontoret idag.",
        "Preciso de alguém agora, por favor.",
        # the thirty-seventh conversation author's family: someone to ring the customer, and no bot, in five languages
        "Kann mich jemand aus dem Kundenservice heute zurückrufen?",
        "Ich möchte nicht mehr mit dem Bot schreiben.",
        "Est-ce que quelqu'un pourrait me rappeler demain matin ?",
        "No quiero seguir hablando con un robot.",
        "Kan iemand mij vanmiddag terugbellen?",
        "Ik wil niet met een chatbot praten.",
        "Czy ktoś może do mnie oddzwonić jutro?",
        "Nie chcę dalej pisać z botem.",
        "Proszę o kontakt z konsultantem w tej sprawie.",
        # the forty-third author's: who can, then, after the bot said it cannot
        "ok so who can then?",
        "Then who can? The deadline is Friday.",
        # the seventy-first author's: a person asked for in nine more languages
        "Chci mluvit s někým z kempu, kdo je teď tady.",
        "Chcem hovoriť s operátorom, prosím.",
        "Chci mluvit s vedoucím pobočky.",
        "Das möchte ich mit jemandem aus der Geschäftsführung besprechen.",
        "Jeg vil gjerne snakke med en saksbehandler.",
        "Jeg vil tale med en medarbejder nu.",
        "Haluan puhua ihmisen kanssa.",
        "Szeretnék beszélni egy ügyintézővel.",
        "Vreau să vorbesc cu un operator.",
        "Müşteri temsilcisiyle görüşmek istiyorum.",
        "Θέλω να μιλήσω με άνθρωπο.",  # noqa: RUF001 (Greek)
    ],
)
def test_asking_for_a_human(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "no need for an agent, thanks",
        "I don't need to talk to a human, the article was enough",
        "How do I add agent seats?",
        "I need a manager role for Dana",
        "The agent was great yesterday",
        "How do I transfer ownership to another user?",
        "Can you connect me to Salesforce?",
        "forward this to my manager",
        "The issue escalated after the update",
        "I need someone on my team to get admin rights",
        # the thirty-seventh author's family's neighbours: the customer calls, or asks about the bot
        "Kann ich jemanden im Kundenservice anrufen?",
        "Who can then see the invoices, only admins?",
        "Quelqu'un de ma famille peut appeler à ma place ?",
        "Kan ik iemand bellen voor een afspraak?",
        "Czy mogę zadzwonić do banku w sobotę?",
        "Is your chatbot available in Dutch? Ik wil geen Engels.",
        # ... and their negations
        "Jeg vil ikke snakke med et menneske, bare send linket.",
        "Nem akarok beszélni egy ügyintézővel, csak a számlát kérem.",
        "Nu vreau să vorbesc cu un om, scrieți-mi aici.",
        "Δεν θέλω να μιλήσω με άνθρωπο.",  # noqa: RUF001 (Greek)
        "we have 50 employees",
        # round 7: the same words, no request
        'Can I add a "talk to an agent" button to my own site?',
        "Can a customer call me through the widget?",
        "Could a member of your team explain the pricing in the webinar?",
        "Who is in charge of the VAT settings in the account?",
        "Call me when the report is ready? No, just email it.",
        'Check-in failed online, it says "please see agent at airport".',
        "It was kind of your manager to phone me back yesterday, thanks.",
        # round 8: the same words, no request
        "Is there a person I should send the contract to, or just the legal inbox?",
        "Where do I find the human-resources settings?",
        "How can my clients book a phone appointment with my team?",
        "Can I schedule a call with your sales team about the enterprise tier?",
        "Expect a call from our legal department.",
        "I had a call with the onboarding team yesterday, thanks.",
        "We are only human. Now, where is the export button?",
        "Honestly thought I'd have to call an electrician. thanks a lot",
        "Is the phone on the line plan unlocked?",
        # trigger round 14: the same words, no request
        "Wat zijn de openingstijden van de winkel?",
        "Gibt es eine App für Android?",
        "Our account manager changed, how do I update the contact?",
        "Can my team lead see the invoices too?",
        # the thirty-fourth conversation set's round: "pass me" something else
        "pásame la factura de marzo, por favor",
        "mi passa il numero di telefono?",
        "me passa o número do pedido",
    ],
)
def test_mentioning_people_without_asking_for_one(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "That didn't help",
        "That didn\u2019t help",  # a typographic apostrophe, as phones type it
        "this does not answer my question",
        "not what I asked",
        "That's not what I asked for",
        "useless",
        "you already said that",
        "I already tried that",
        "Did that.",
        "No, that's not it",
        "you're not listening",
        "same answer again?",
        "your answer doesn't help at all",
        "stop sending me the same article",
        # Saying it again because it was not heard, and a suggestion tried to no effect.
        "I AM the admin. I just said that.",
        "I'm on Chrome. As I said.",
        "like i've already explained, it's the Pro plan",
        "I've already given you my order number",
        "did you even read my message?",
        "That's what you said last week.",
        "you keep sending me the same link",
        "oh great, same answer. very helpful",
        "we're going round in circles here",
        "done. still happens",
        "tried that, same error",
        "restarted, no change",
        "I tried that, it says 'column mapping failed' and nothing is imported.",
        "did that but it still logs me out",
        "followed the steps, nothing happens",
        "That's what I did, no beep, no call. The red light is still on.",
        "You've said that twice. What do I do on Thursday?",
        "are you reading what i write",
        # A correction of what the answer was about.
        "Not my default address. The order is already on its way.",
        "not reports. the list of users",
        "No, I want to REMOVE guest access from one board.",
        "Sorry, I mean restrict who can view an existing board.",
        "I not ask to activate. I ask why I pay 45 euro",
        "I didn't ask for a refund, I asked why it was charged",
        "I know how to read it. The claim was denied by mistake.",
        "Amazing. Third try: is 10,000 rows a LIMIT.",
        # The answer's premise put right, what it said to do already done, and giving up on it.
        "It's not about capacity. It's swollen.",
        "They've been on it for two years. It's not a switch. It's this batch.",
        "Not round-ups. I want to save 2,000 by December.",
        "That isn't what the paperwork says. My letter says 48 payments.",
        "I told you they both say UTC.",
        "I know where the stopcock is. The light is still dripping.",
        "I don't want a form. I want someone to actually deal with it.",
        "I need an analyst looking at the connector, not a guide.",
        "Both are set to UTC. I checked. And 25k isn't a midnight thing.",
        "I have checked with my bank. They have nothing.",
        "I've checked with both neighbours and round the house.",
        "I have read section 4. It says labour is charged from arrival.",
        "We already prepay annually.",
        "Forget it.",
        "So that's a no then.",
        "It's on a cable. Not wifi.",
        "I don't need the regulation I need a seat",
        'great, very helpful, manage booking says "contact us" when I click rebook.',
        "No, I did not cancel. THE HOTEL cancelled. I have their email.",
        "I don't know who the recipient is, that's the problem.",
        "I have restarted it four times since monday",
        "I just did. Twice.",
        "Let me rephrase: which Audience URI should Okta send?",
        "We're on Enterprise. I've asked the same thing three ways now.",
        "It's enabled already.",
        "It's already correct.",
        "Not right.",
        "tried",
        "it had FOGRA39. read what I'm saying. your printer printed purple",
        "Did you even read my message? The code is in capitals already.",
        "you're not listening, the lock is already charged",
        "I know what the guidelines say. I didn't break any of them.",
        "my file IS cmyk. I'm a designer, I sent a proof with the Pantone reference",
        "i just said i HAVE 2fa now",
        "Yes that's what I'm doing, Save does nothing",
        "pressure is normal. backwashed anyway. still FLO.",
        "Logged out, logged back in. Still 0%.",
        "Das ist dieselbe Antwort wie vorhin.",
        "Das hilft mir nicht weiter.",
        "Ça ne m'aide pas du tout.",
        "Otra vez la misma respuesta.",
        "Non mi aiuta, il problema resta.",
        "Dat helpt niet, ik krijg nog steeds de fout.",
        "Vous n'avez pas répondu à ma question.",
    ],
)
def test_negative_feedback(text: str) -> None:
    assert negative_feedback(text)


@pytest.mark.parametrize(
    "text",
    [
        "thanks, that helped!",
        "That worked, perfect",
        "My SSO login doesn't work since Monday",
        "The export is not working",
        "Did that help the other customers?",
        "I was charged twice",
        "ok did that",
        "still waiting for the refund",
        "I said I'd pay on Monday",
        "the same invoice was sent twice",
        "is it the same price as last year?",
        "ok thanks, I will come back if it still fails",
        "Not that I know of.",
        "not sure, let me check",
        "Not yet, I'll try tonight",
        "sorry I meant to say we were charged once",
        "I know how to export it now, thanks",
        "I tried that and it worked, thanks!",
        "Could you read what I wrote in the form back to me?",
        "I know what the problem was now, thanks",
        "DO I have to be 18 to open an account?",
        "IS there a fee to exchange currency?",
        "MY CARD IS BLOCKED SINCE THIS MORNING",
        "That's sorted then. Still, thanks for checking.",
        "Still need to know: does the Pro plan include SSO?",
        "I checked it, everything looks fine now",
        "Tried it. Works now!",
        "it's not urgent, whenever you have a moment",
        "It's not a big deal, I just want to understand the fee.",
        "Not sure. Can you check the order?",
        "I checked my spam folder and found it, thanks!",
        "I told your colleague yesterday that I'd pay on Monday.",
        "I already have an account, how do I log in on the app?",
        "Don't forget it's a gift, please leave out the receipt.",
        "I know where to find the invoice now, thank you.",
        "No, I didn't receive a confirmation email, can you resend it?",
        "No, I haven't changed my password recently.",
        "Thanks. Not urgent. Whenever you can.",
        "Great, very helpful, thank you!",
        "I restarted it and now it works, thanks!",
        "I just did",
        "It's enabled already, and the export works now. Thanks!",
        "I did.",
        "Die Antwort auf meine Frage finde ich nicht im Handbuch, wo steht das?",
        "Merci, ça m'aide beaucoup !",
        "¿La respuesta llega por correo?",
        # the long calm dialogues' round: a confirmation of what the bot read back, a no to its offer
        "Yes that's right.",
        "That is correct.",
        "Not right now.",
        "Not interested, thanks.",
        "Not at the moment.",
        # a no to the bot's offer in the words of its question
        "No, that is not needed. Could you help to book a cab to the doctor?",
        "No, that is not required, thank you!",
    ],
)
def test_not_negative_feedback(text: str) -> None:
    assert not negative_feedback(text)


def test_bot_confidence_is_the_bots_own_when_sent() -> None:
    assert bot_confidence(snapshot(2, "bot", "Here is the article", confidence=0.42)) == 0.42
    assert bot_confidence(snapshot(2, "bot", "Here is the article")) is None


@pytest.mark.parametrize(
    "text",
    [
        "Is there anyone who can look at this?",
        "Please, is there anyone who can help?",
        "Who can help us?",
        "order. already. shipped. can someone actually redirect it or not",
        "Please somebody check my bill",
        "I want someone to look at this and my phone.",
        "I already appealed. Next step is the state insurance department. Or a human, your choice.",
        "I'd like a manager, please. We paid 640 for express.",
        "Can someone at the clinic just move it?",
        "Who can look at this?",
        "Who corrects this?",
        "Is there anyone there who knows how SAML works?",
        "I need someone in payments operations to look at this today",
        "Someone at reception needs to look for it today.",
        "If nobody calls me today I'm signing with them.",
    ],
)
def test_someone_asked_for_by_what_they_should_do(text: str) -> None:
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "who can help me find the export button?",
        "Can someone on my team see the invoices?",
        "is there anyone on the team who can approve it in the app?",
        "we need someone to approve invoices, how do I add an approver role?",
        "Can someone look when you get a chance? The totals don't add up.",
        "Can someone help me reset our admin's 2FA?",
        "if someone checks the logs they will see it",
        "I'd like a manager account for my deputy",
        "can someone please tell me where the export is?",
        "who handles this kind of request, billing or support?",
        "we need someone to check invoices monthly, is there an approver role?",
    ],
)
def test_people_in_calm_questions_are_not_a_request(text: str) -> None:
    assert not asks_for_human(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # what the trigger model alone reads as a request for a person needs someone or some way to reach one
        ("get me ur boss", True),
        ("Put me through to whoever is in charge.", True),
        ("Kann mich bitte jemand zurückrufen?", True),
        ("Would it be possible to get a technician on the phone?", True),
        ("HUMAN. PLEASE.", True),
        # the long calm dialogues' round: a booking or a number asked of the bot
        ("Can you get me a cab there?", False),
        ("Yes and can I get the phone number please?", False),
        ("I need a doctor please.", False),
        ("Please look around London, UK.", False),
        # the thirty-ninth conversation author's: a membership number is no member of staff
        ("member 40028817", False),
        ("Member no. 5521-88, the freeze starts today", False),
        ("can a staff member call me back", True),
    ],
)
def test_the_trigger_models_request_for_a_person_needs_a_word_for_one(text: str, names: bool) -> None:
    assert may_ask_for_human(text) is names
