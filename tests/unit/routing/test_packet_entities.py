"""The packet's entities against a hand-labelled set: `events/labelled/handoff_entities.jsonl`.

165 support conversations (customer, bot and some agent turns; English, German, French, Spanish, Portuguese,
Dutch, Italian, Swedish, Norwegian, Polish, Czech), each with the entities a human expects from the customer's messages
up to the escalating one (kind, value as typed, the message's seq). 1-60 were written before the extractor; 61-75
after its first version, aimed at formats it might miss (it found 79% of them at first); 76-95 after the held-out
set's first measurement, aimed at amounts grouped by spaces, apostrophes or lakhs, error codes made of a word in
capitals and a number, ids like `KC-10045` with no word before them, and their near misses (quantities, models,
standards, times, a number before an amount); the extractor of that measurement found 54% of their entities
(precision 74%), its first fix 93% (precision 100%). 100-119 after the fourth author's set was read (by family),
aimed at other instances of its families and their near misses: vendor codes after what a screen shows or what
failed, codes in brackets, error names in snake or camel case, crypto amounts, ids of unusual shapes and the
shipping, bill and complaint words, dotted and hyphenated dates, a day's name before a date, a phone number that
answers the bot (the extractor then found 86% of their entities, precision 90%). 120-135 after the fifth author's set
was read (by family), aimed at other instances of its families and their near misses: ids named by contract, lease,
job, licence, transaction, prescription, bill of lading, return label, claim (`sinistro`), request and fine words,
generated ids (`EL-7Hq9Zt`), references whose kind the message says, an id of any shape answering the bot, a
date's time and a day's name in more languages, addresses on reserved and internal hosts, codes in logs and JSON
and with the word that says their kind (`exit status 137`, `Reject 75`), the rand, rupees and ringgit, a phone word
after the number (the extractor of the round's start found 56% of their entities, precision 91%). 136-153 after the
sixth author's set was read (by family), aimed at other instances of its families and their near misses: serial,
meter and policy numbers, appointments, applications, work orders, shipments, transfers and trips in several
languages, container numbers, `FV/...` invoices, a file that is a booking's or a case's, an id after "it's" answering
the bot, codes after words that say or retry, `%SYS-2-MALLOCFAIL`, `(code 12)`, `error 7,`, a list of codes, and the
near misses: units, versions, one-time codes, `policy 4.2` (the round-start extractor found 45% of their entities,
precision 88%). Since that round a serial or meter number is an id (`order_id`, what the customer holds), as the
sixth author labelled it; 131's was relabelled so. 154-169 after the seventh author's set was read (by family), aimed at
other instances of its families and their near misses: ids typed in spaced groups after capitals (`KT 12 8841`, `RR
4410 2231 DE`), number words glued to the id word (`Klachtnummer`), receipt and bill words in more languages (`recibo`,
`bolletta`, `ricevuta`, `kvitto`), hire and Nordic order words, `booked QZ7R4M`, short hexadecimal codes, constants
ending in a number or starting with one (`WIFI_ASSOC_4`, `5G_ATTACH_REJECTED`), J1939 fault codes, codes in square
brackets, Roman-numeral months, an ordinal after `on the`, North American phone numbers, and amounts the customer
guesses at (`about $900`, `ongeveer 90 euro`: no entity, as the authors of that time left them; since test18's
round the packet reads a guess and the comparison takes neither side, `_unclaimed_guess`); near misses `0xFF` as a setting,
a subject line's `[HELP-2211]`, `on the 3rd floor`, `the 2nd time`, an account number written like a phone (the
round-start extractor found 61% of their entities, precision 79%). Since that round an ordinal after `on the`, `by the`
or `before the` is a date, as the seventh author labelled it; 039's and 110's were relabelled so. It is a
development set, not a held-out one: the extractor was fixed on the misses of all of them, so this test guards against regressions rather than measuring recall on
unseen text. Values follow the packet's conventions: ids without a leading `#` or the word before
them, amounts with their currency as typed, dates as typed (relative ones such as "yesterday" are not
entities), products as the team's list names them.

Recall of what the customer typed before or at the escalation must be at least 95% overall, precision at least
85%; the failure message gives both per kind, with what was missed and what was extra. The held-out sets below were
each measured once on unseen text and are regression floors since (`HELD_OUT`: the next author's set, blind, when it
is added: `handoff_entities_test28.jsonl` since the end of test27's round). Since test8's round the
packet also has a learned reader (`baton.routing.entity_model`, trained on all these sets by `baton train entities`;
since test9's round it reads error codes and a day and a month too), so every set is training data for it (test13 since
test13's round, test14 since test14's round, test15 since test15's round, test16 since test16's round, test17 since
test17's round, test18 since test18's round, test19 since test19's round, test20 since test20's round, test21 since
test21's round, test22 since test22's round, test23 since test23's round, test24 since test24's round, test25 since
test25's round, test26 since test26's round, test27 since test27's round). Since test10's round 046's quote (`quote Q-3391`) is labelled an id (`order_id`, what is
bought), as the tenth author labels a quote's; the development set had left it out. Since test11's round an order's
and a ticket's id are compared alike where their message names a claim or a file before them (`DISPUTED_KIND`). Since test12's round an email, phone or URL in a pasted email's header or signature
counts as nothing when found and not labelled (`_unclaimed_contact`), a machine's fault code is compared without its
failure mode (`FAILURE_MODE`), and 117's `blinks E4` is labelled an error code, as the twelfth author labels `shows E7`.
Since test13's round an order's and a ticket's id are compared alike after a bare reference's word too
(`BARE_REFERENCE`), a date without an English day's name abbreviated with its dot (`Fri. 09.05.25`), and an account's
number is labelled an id (`order_id`, what the customer holds), as five authors of seven label it: 114's (`4410 2290
1183`, answering "What's your account number?") and 162's (`account number 415-231-4471`) were relabelled so (519 ->
521 entities). Since test14's round an order's and a ticket's id are compared alike after a warranty claim's words too
(`reklamace`, `reklamacja`, `Reklamation`: `DISPUTED_KIND`), and a serial found and not labelled counts as nothing
(`_unclaimed_serial`: four authors label serials, two leave them out). Since test15's round any id is compared alike
where its message names a fine (`FINE_WORD`: authors disagree three ways), and a bare reference's word may have `is` or
`was` after it (`inspection ref was INSP-7731`). Test16's round changed no comparison. Since test17's round an
invoice's id is compared without an `INV` before its digits (`INVOICE_WORD`: `INV 77102` = `77102`), a first mention
that a labelled correction replaces counts as nothing when found and not labelled (`_corrected`: authors disagree two to
two), and a fine and a claim are named in Czech and Polish too (`FINE_WORD`: `pokuta`; `DISPUTED_KIND`: `szkoda`).
Since test18's round an amount the customer guesses at counts as nothing when found and not labelled
(`_unclaimed_guess`: three authors label a guess, five leave it out), and a claim is named in Danish, Norwegian,
Swedish and Finnish too (`DISPUTED_KIND`: `skadenummer`, `skadeärende`, `vahinko`). Test19's and test20's rounds
changed no comparison. Since test21's round an amount is compared without a dot after it (`299 kr.`: the twenty-first
author keeps an abbreviated currency's dot, which the packet cannot tell from a full stop), and an airline's baggage
report is a claim (`DISPUTED_KIND`: `PIR`). Since test22's round an error code is compared without an error's word
abbreviated before it (`ERR 23` = `23`: `ERROR_WORD`), and an id that opens the answer to the bot's question naming a
claim as one after a claim's word (`Do you have a claim reference?` - `CLM/2024/0619/TW`: `_asked`). Test23's round
changed no comparison. Since test24's round a bare reference's word is German too (`Referenz TRX20250402-7781`:
`BARE_REFERENCE`). Test25's and test26's rounds changed no comparison. Since test27's round an order's and an
invoice's id are compared alike where a payment's, a transfer's or a transaction's reference is named before it or in
the question its answer opens with (`PAYMENT_REFERENCE`: `UTR no. HDFCR5...`, `paypal transaction 5TY4...`; the
development set and eight authors label such a reference an order's, the fifteenth and twenty-seventh an invoice's), a
date without both a preposition and an article before it (`on the 7th` = `7th`: `ARTICLE`), and a guess is named in
the round's languages too (`около 90 лв.`: `GUESS_BEFORE`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from baton.context.models import Context
from baton.events import EscalationDecided
from baton.handoff import HandoffPacket
from baton.models import BotInfo, Conversation, Customer, Reason, Role, StoredMessage
from baton.routing.packet import build_packet, edit_distance

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "events" / "labelled" / "handoff_entities.jsonl"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
MIN_RECALL = 0.95
MIN_PRECISION = 0.85

Key = tuple[str, str, int]


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


ERROR_WORD = re.compile(
    r"(?i:(?:(?:response|reason|return|result|exit|decline|reject(?:ion)?|denial)\s+)?(?:status code|error code|code|status)|"
    r"error|err|erreur|erro|errore|fehler|foutcode|fout|c[óo]digo|codice|b[łl][ąa]d|reject(?:ion)?|decline|denial)\s+"
    r"(?=\S*\d)"
)
"""An error code is compared without the words before it that say a code follows: `error 1603` and `1603` name the
same code (the packet drops a generic word, as it does for ids; a labeller may keep it), and so do `exit status 137`,
`response code 05` and `Reject 75` and their numbers (the packet keeps those words, which say what kind of code it
is; a labeller may drop them); since test22's round the word abbreviated too (`ERR 23` = `23`)."""


REASON_PHRASE = re.compile(
    r"\s+(?i:bad request|unauthori[sz]ed|payment required|forbidden|not found|method not allowed|not acceptable|"
    r"request time-?out|conflict|gone|too many requests|unprocessable (?:entity|content)|internal server error|"
    r"not implemented|bad gateway|service unavailable|gateway time-?out)$"
)
"""A status is compared without its reason phrase: `403 Forbidden` and `403` name the same code (authors disagree
on whether to keep it)."""
WEEKDAY = re.compile(
    r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day|\.)?|montag|dienstag|mittwoch|donnerstag|"
    r"freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|mi[ée]rcoles|"
    r"jueves|viernes|s[áa]bado|domingo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|luned[iì]|"
    r"marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica|(?:segunda|ter[çc]a|quarta|quinta|sexta)"
    r"(?:-feira)?|poniedzia[łl]ek|wtorek|[śs]rod[aęy]|czwartek|pi[ąa]tek|sobot[aęy]|niedziel[aęi]|m[åa]ndag|"
    r"tisdag|onsdag|torsdag|fredag|l[öo]rdag|s[öo]ndag|mandag|tirsdag|l[øo]rdag|s[øo]ndag|pond[ěe]l[íi]|"
    r"[úu]ter[ýy]|st[řr]ed[au]|[čc]tvrtek|p[áa]tek|sobotu|ned[ěe]l[ei]|pazartesi|sal[\u0131i]|[çc]ar[şs]amba|"
    r"per[şs]embe|cuma(?:rtesi)?|pazar|"
    # abbreviated: German, Dutch, French, Spanish, Italian, Portuguese, Nordic, Polish, Czech, Turkish
    r"(?:mo|di|mi|do|fr|sa|so|ma|wo|vr|za|zo|lun|mer|jeu|ven|sam|dim|mi[ée]|jue|vie|s[áa]b|dom|gio|seg|ter|qua|qui|"
    r"sex|m[åa]n|tis|ons|tor|fre|l[öø]r|s[öø]n|tir|pon|wt|[śs]r|czw|pt|sob|niedz|[úu]t|[čc]t|p[áa]|pzt|[çc]ar|"
    r"per|cum|cmt|paz)\.?),?\s+(?=.*\d.*\D|.*\D.*\d)"
)
"""A date is compared without the day's name before it: `mardi 14 avril` and `14 avril` name the same day (one
author keeps it, another drops it). `Friday 31st` keeps it: without it, `31st` is no date. Since test10's round an
abbreviated name too (`Sa 21.06.`, `fre 11 juli`, `sam. 5 juillet`, `Di, 10.06.2025`: the tenth author keeps it), and
since test13's round an English one with its dot (`Fri. 09.05.25`: the thirteenth author keeps it)."""
ARTICLE = re.compile(r"(?:(?i:le|el|il|lo|the|on|by|am|den|dem|op|em|no|o)\s+)+(?=\S)")
"""A date is compared without the article or preposition a labeller may keep before it: `le 3 avril` and `3 avril`,
`am 12. März` and `12. März` name the same day (the sixth author keeps `le`; the packet, like the other authors,
starts a date at its day or its day's name). Since test27's round both a preposition and an article (`on the 7th`,
the twenty-seventh author's, and `7th`: the development set's `the 2nd` is `2nd`, the twenty-fourth author's `the
30th`)."""
TIME = re.compile(
    r"(?:,\s*|\s+)(?i:(?:at|um|à|a\s+las|alle|om|kl\.?|klo|godz\.?|às|v|ve|o)\s+)?(?:[01]?\d|2[0-3])"
    r"(?::[0-5]\d(?::[0-5]\d)?(?:\s?(?i:am|pm|uhr|h))?|h[0-5]\d|\.[0-5]\d\s?(?i:uhr|h)|\s?(?i:am|pm|uhr|h))"
    r"(?:\s(?:UTC|GMT|CES?T|[ECMP][SD]T|BST|IST))?$"
)
"""A date is compared without the time of day after it: `Thu 6 Mar, 09:40` and `Thu 6 Mar` name the same day (the
fifth author keeps the time, the fourth drops it; the packet keeps it as typed since 2026-12-06's test5 round).
A date is compared without a dot after it too: `3 Dec.` and `3 Dec` (the seventh author keeps an abbreviated month's
dot where the packet, unable to tell it from a full stop, ends the date at the month)."""


FAILURE_MODE = re.compile(r"\s*[/,]?\s*FMI\s*:?\s*\d{1,2}$")
"""A machine's fault code is compared without its failure mode: `SPN 3251 FMI 2` and `SPN 3251` name the same fault
(the development set and the seventh author keep the FMI, the twelfth drops it)."""


INVOICE_WORD = re.compile(r"(?i:inv)\s+(?=\d)")
"""An invoice's id is compared without an `INV` and a space before its digits: `INV 77102` and `77102` name the same
invoice (the fifteenth and seventeenth authors keep the word, the seventh drops it, `receipt says INV 2026 118 442`;
the packet drops an id's word). Since test17's round; `INV-77102` keeps its prefix, as every author does."""


def _normal(value: str, kind: str = "") -> str:
    if kind == "invoice_id" and (inv := INVOICE_WORD.match(value)) is not None:
        value = value[inv.end() :]
    word = ERROR_WORD.match(value) if kind == "error_code" else None
    if word is not None:
        value = value[word.end() :]
    if kind == "error_code":
        value = REASON_PHRASE.sub("", value)
    if kind == "date" and (article := ARTICLE.match(value)) is not None:
        value = value[article.end() :]
    if (
        kind == "date"
        and (weekday := WEEKDAY.match(value))
        and not re.fullmatch(r"\d+(?:st|nd|rd|th)", value[weekday.end() :])
    ):
        value = value[weekday.end() :]
    if kind == "date":
        value = TIME.sub("", value).rstrip(".")  # `3 Dec.`, `am 12.3.`: the dot names no other day
    if kind == "amount":  # `-$119.00` pasted from a bank's statement: the tenth author drops the sign
        # `299 kr. om måneden`: the twenty-first author keeps an abbreviated currency's dot, which the packet cannot
        # tell from a full stop (`599 Kč. mam Tarif Neo`, the fourteenth's sentence ends there)
        value = value.removeprefix("-").rstrip(".")
    if kind == "error_code":
        value = FAILURE_MODE.sub("", value)
    return " ".join(value.casefold().lstrip("#").split())


DISPUTED_KIND = re.compile(
    r"(?<!\w)(?i:claims?|sinist(?:ro|re)s?|siniestros?|schadens?(?:nummer|fall|meldung)?|dossier(?:nummer|s)?|"
    r"vorgang(?:snummer)?|expedientes?|reklamac(?:e|ja|ji|i|í)|reklamation(?:en)?|szkod[aęy]|"
    r"skade(?:nummer|sag|sak|s?[äa]rende\w*)?|vahinko\w*|pir)(?!\w)"
)
"""An order's or a ticket's id alike when its message names a claim or a file before it (`claim # 2025 3318 0021`,
`dossiernummer VV-2025/3381`, `Vorgang 2025-MZ-00917`, `expediente TS-AND-2024-1187`): the dossier a customer holds
with an insurer, a mover or an office is a case to the development set and seven authors (a ticket), and what the
customer holds to the tenth and eleventh (an order); since test11's round the comparison takes neither side. An
invoice's id stays an invoice's. Since test14's round a warranty claim's words too (`číslo reklamace RK-9902`,
`reklamacja nr RK/2026/0311/77`, `Reklamation ... unter Nr. RK 33019`): a claim the fourteenth author labels an order's,
as it labels an insurer's, and the fourth, seventh and eleventh a ticket's. Since test17's round an insurance claim
in Polish too (`Zgłosiłem szkodę nr SZK-55120`: the tenth author's order), and since test18's round in Danish, Norwegian,
Swedish and Finnish (`skadenummer 2024-118-3391`: the eighteenth author's order; `skadeärende 2026-SK-0771`: the
eighth author's ticket). Since test21's round an airline's lost-baggage report, a claim too (`tengo el PIR
BIOAS12345`: the twenty-first author's order, the packet's ticket)."""


BARE_REFERENCE = re.compile(
    r"(?<!\w)(?i:ref(?:erence)?|r[ée]f[ée]rence|referencia|riferimento|refer[êe]ncia|referentie|referens|referanse|"
    r"referenz|folio)\.?\s*(?i:no\.?|nr\.?|number)?\s*(?i:is|was)?\s*[:#]?\s*$"
)
"""An order's or a ticket's id alike just after a reference's word (`ref SBH-S-7731`, `install ref BRS-22817`, `Ref
VA/PT/2291`, `folio CT-MX-00812`): a reference names no kind of its own, and the authors read one their messages do
not name otherwise: a case's (a ticket) to the development set, the third and the sixth (`cancellation email, ref
RES-26-8841-FX`, `ref ENG-552019`), what the customer booked or bought (an order) to the tenth, eleventh and thirteenth
(`cancellation ref FK-CXL-30291`, `pickup ..., ref MA-NUC-0512`); `folio` a case's to the fourth, a purchase's to the
ninth and thirteenth. Since test13's round the comparison takes neither side; an invoice's stays an invoice's. Since
test15's round with `is` or `was` between the word and the id too (`inspection ref was INSP-7731`); since test24's round
the German word too (`Überweisung ... Referenz TRX20250402-7781`: the twenty-fourth author's ticket, the packet's
order), as the packet reads it (`_REF_WORDS`)."""


FINE_WORD = re.compile(
    r"(?<!\w)(?i:(?:a|the|my|this|that|parking|speeding|traffic|penalty)\s+fines?|fines?\s+(?:is|was|of|for|notice)|"
    r"pcn|penalty charge(?: notice)?|citations?|multas?|amendes?|boetes?|bu(?:ß|ss)geld\w*|contraventions?|"
    r"strafzettel|pokut[auy]|grzywn[aeyę]|mandat(?:u)? karn\w*)(?!\w)"
)
"""Any id alike (an order's, an invoice's or a ticket's) where its message names a fine (a noun: `the fine is £70`,
not `the disk is fine`; `I got a PCN ...
PCN number WK40188273`, `citation no. PK-2025-118004`, `permit number RP-ZN-06612. fine is now £110`): a penalty
notice is a bill to the development set and the fifth author (`parking fine, PCN LK40219873`: invoices), what the
customer holds to the eleventh and fifteenth (orders) and a case to the sixth (`citation PK-2026-118304`: a ticket);
since test15's round the comparison takes no side."""


PAYMENT_REFERENCE = re.compile(
    r"(?<!\w)(?i:transa[ck]\w*|trans[aá][çc][ãa]o|txn|tx ?id|utr|arn|rrr|upi|paypal|m-?pesa|"
    r"(?:payment|transfer|settlement|remittance|refund|withdrawal|payout|deposit)s? ?(?:ref\w*|ids?|numbers?|no|nr|"
    r"confirmation\w*|codes?)|virement|transferencia|transfer[êe]ncia|bonifico|overboeking|[üu]berweisung\w*|przelew\w*|"
    r"zahlungsreferenz|maks[āa]jum\w*|mok[ėe]jim\w*|tehing\w*|транзакц\w*|платіж\w*|плащане\w*|giao d[ịi]ch|"
    r"muamala|transaksi)(?!\w)"
)
"""An order's or an invoice's id alike where a payment's, a transfer's or a transaction's reference is named just
before it, or in the bot's question its answer opens with (`txn id T2403121845227731`, `UTR no. HDFCR52024...`,
`paypal transaction 5TY41029KL883442W`, `RRR is 2900-1123-4589`; "Please share the transaction reference" - `Session
ID 000013...`, its sentence opening with the id or two words before it): a payment's reference is what was bought to the development set and eight authors (`transaction ID
4HG72913KX0551234`, `the virement reference was VIR-20260311-0045`, `paypal transaction 9XK33018RL2291744`: orders),
the bill it paid to the fifteenth (`referencias 88123401`, `VS 2025090117`) and the twenty-seventh (UTRs, ARNs, Remita's
RRRs, mobile money's and PayPal's references: invoices, as its brief asked); since test27's round the comparison takes
neither side, and the packet reads one as an order's, as most authors do. A ticket's id stays a ticket's."""


def _key(case: dict[str, Any], kind: str, value: str, seq: int) -> Key:
    """How an entity is compared: its kind (an order's and a ticket's alike where `DISPUTED_KIND` or `BARE_REFERENCE`
    says so, or the question it answers names a claim, an order's and an invoice's alike where `PAYMENT_REFERENCE` does, and all three where `FINE_WORD` does), its value as
    `_normal` folds it, its message."""
    if kind not in ("order_id", "ticket_id", "invoice_id"):
        return (kind, _normal(value, kind), seq)
    text = next((m["text"] for m in case["messages"] if m["seq"] == seq), "")
    at = text.find(value.lstrip("#"))
    if FINE_WORD.search(text):
        kind = "order_id|ticket_id|invoice_id"
    elif kind in ("order_id", "invoice_id") and (
        (at >= 0 and PAYMENT_REFERENCE.search(text, max(0, at - 40), at))
        or (
            at >= 0
            and len(re.split(r"[.!?\n]\s*", text[:at])[-1].split()) <= 2
            and PAYMENT_REFERENCE.search(_asked(case, seq))
        )
    ):
        kind = "order_id|invoice_id"
    elif kind != "invoice_id" and (
        DISPUTED_KIND.search(text, 0, at if at >= 0 else len(text))
        or (at >= 0 and BARE_REFERENCE.search(text, max(0, at - 40), at))
        or (at >= 0 and not text[:at].strip() and DISPUTED_KIND.search(_asked(case, seq)))
    ):
        kind = "order_id|ticket_id"
    return (kind, _normal(value, kind), seq)


def _asked(case: dict[str, Any], seq: int) -> str:
    """The bot's message just before message `seq` (its question), or nothing: since test22's round an id that opens
    the answer to a question naming a claim is compared as one after a claim's word (`Do you have a claim reference?` -
    `CLM/2024/0619/TW`: the twenty-second author's order, the packet's ticket)."""
    before = [m for m in case["messages"] if m["seq"] < seq]
    return before[-1]["text"] if before and before[-1]["role"] == "bot" else ""


PASTED_EMAIL = re.compile(
    r"(?im)^[ \t]*-{2,}[ \t]*(?:forwarded message|original message|weitergeleitete nachricht|urspr[üu]ngliche "
    r"nachricht|message transf[ée]r[ée]|message d'origine|mensaje (?:original|reenviado)|mensagem (?:original|"
    r"encaminhada)|messaggio (?:originale|inoltrato)|oorspronkelijk bericht|doorgestuurd bericht|ursprungligt "
    r"meddelande|vidaresänt meddelande)[ \t]*-*[ \t]*$|^[ \t]*>?[ \t]*(?:from|von|de|van|da|fr[åa]n|fra|od):[ \t]"
)
"""Where a pasted email starts: a forward's or a reply's marker line, or its `From:` header."""
QUOTED_LINE = re.compile(r"(?m)^[ \t]*>.*$")
RECIPIENT_LINE = re.compile(r"(?im)^[ \t]*>?[ \t]*(?:to|cc|an|kopie|à|a|para|aan|till|til|do):[ \t].*$")


def _pasted(text: str) -> list[tuple[int, int]]:
    """The parts of a message that are an email it pastes: its header but the recipients' lines, its body and
    signature (the lines quoted with `>`, or from its marker to a closing line of dashes or the message's end)."""
    start = PASTED_EMAIL.search(text)
    if start is None:
        return []
    if text[start.start() : start.end()].lstrip().startswith(">"):
        lines = [m.span() for m in QUOTED_LINE.finditer(text, start.start())]
        end = lines[-1][1] if lines else start.end()
    else:
        close = re.compile(r"(?m)^[ \t]*-{3,}[ \t]*$").search(text, start.end())
        end = close.start() if close is not None else len(text)
    parts, at = [], start.start()
    for line in RECIPIENT_LINE.finditer(text, at, end):
        parts.append((at, line.start()))
        at = line.end()
    return [*parts, (at, end)]


def _unclaimed_contact(case: dict[str, Any], kind: str, value: str, seq: int) -> bool:
    """An email, phone or URL in a pasted email's header (not its recipients') or its signature: the sender's, a
    company's (`From: Brightwell Billing <billing@...>`, `Hearthside Care | 0113 496 0000`). The twelfth author leaves
    them out as not the customer's; the ninth and eleventh label them as typed (`From: ops@baltline-customs.pl`, its
    `tel. +48 58 765 43 21`). The comparison takes neither side: found and not labelled, it counts as nothing."""
    if kind not in ("email", "phone", "url"):
        return False
    text = next((m["text"] for m in case["messages"] if m["seq"] == seq), "")
    at = text.find(value)
    return at >= 0 and any(lo <= at < hi for lo, hi in _pasted(text))


SERIAL_WORD = re.compile(
    r"(?<!\w)(?i:serial(?: ?(?:number|no|nr))?|s/n|(?-i:SN)|serien?nummer|seriale|numero di serie|"
    r"num[ée]ro de s[ée]rie|n[úu]mero de s[ée]rie|numer seryjny|imei|vin|chassis(?: ?(?:number|no))?|"
    r"frame ?(?:number|no|nr)|mpan|mprn)\.?\s*[:#]?\s*$"
)
"""Just before a serial's or a serial-like number (a device's, a vehicle's frame, a meter's)."""


def _unclaimed_serial(case: dict[str, Any], kind: str, value: str, seq: int) -> bool:
    """An order's id just after a serial's word that its author did not label (`gateway serial SH-GW-0041-77`, `seriale
    GC19-004471`): the development set and the sixth, tenth and fourteenth authors label serials (`meter serial
    19K0442871`, `imei 356938035643809`), the ninth and thirteenth leave them out; since test14's round the comparison
    takes neither side: found and not labelled, it counts as nothing."""
    if kind != "order_id":
        return False
    text = next((m["text"] for m in case["messages"] if m["seq"] == seq), "")
    at = text.find(value)
    return at >= 0 and SERIAL_WORD.search(text, max(0, at - 40), at) is not None


CORRECTION = re.compile(
    r"(?<!\w)(?i:typo|transposed|sorry|actually|i meant|mistake|wrong|correct(?:ion|ed)?|should be|scus[aei]\w*|"
    r"perd[óo]n\w*|pardon|d[ée]sol[ée]e?|entschuldigung|vertippt|przepraszam|pomy[łl]k\w*|f[öo]rl[åa]t|undskyld|"
    r"beklager|excuses|desculp\w*|omlouv[áa]m)(?!\w)"
)
"""What a customer says when an id or an email they typed before was wrong (`sorry FRT 2024 0971, transposed the last
digits`, `typo in my message, it's ...`, `scusate ... ordine completo 4471-BX9`)."""


def _corrected(case: dict[str, Any], kind: str, value: str, seq: int) -> bool:
    """An id or an email that a labelled one of the same kind corrects, in a later message or later in the same one
    that says the first was wrong (`CORRECTION`), within two edits of it: the thirteenth and seventeenth authors leave
    the wrong one out (`FRT 2024 0917` ... `sorry FRT 2024 0971, transposed the last digits`; a first, truncated
    `4471-BX`), the seventh and sixteenth label both (`PT-20417` ... `actually its PT-20471 sorry, typo`). Since
    test17's round the comparison takes neither side: found and not labelled, it counts as nothing."""
    if kind not in ("order_id", "ticket_id", "invoice_id", "email"):
        return False
    texts = {m["seq"]: m["text"] for m in case["messages"] if m["role"] == "customer"}
    first = " ".join(value.casefold().split())
    for e in case["entities"]:
        other = " ".join(e["value"].casefold().split())
        if e["kind"] != kind or e["seq"] < seq or other == first or edit_distance(first, other) > 2:
            continue
        text = texts.get(e["seq"], "")
        at = text.find(e["value"])
        if e["seq"] == seq and (at < 0 or text.find(value) > at):
            continue  # a correction follows what it corrects
        if CORRECTION.search(text, 0 if e["seq"] > seq else max(0, text.find(value))):
            return True
    return False


GUESS_BEFORE = re.compile(
    r"(?<!\w)(?i:about|around|roughly|approx(?:\.|imately)?|like|some|nearly|almost|ungef[äa]hr|etwa|circa|ca\.|zirka|"
    r"environ|vers|aproximadamente|unos|unas|cerca de|alrededor de|quase|cerca di|più o meno|ongeveer|zo'?n|omkring|"
    r"cirka|oko[łl]o|zhruba|asi|около|близько|приблизно|oko|okoli|otprilike|pribli[žz]no|apie|ma[žz]daug|"
    r"apm[ēe]ram|aptuveni|umbes|ligikaudu|um það bil|u\.þ\.b\.|sekitar|kira-kira|kurang lebih|khoảng|tầm|karibu|"
    r"takriban|aproximadament|uns|unes)\s*$"
)
GUESS_AFTER = re.compile(r"\s*(?i:or so|-?ish|give or take|more or less|o as[ií])(?!\w)")
"""The words that make an amount a guess (`about 600 GBP`, `environ 140 euros`, `like $20`, `750 kroner or so`); since
test27's round in the languages of its round too (`обикновено плащам около 90 лв.`, `sekitar Rp 50.000`, `khoảng
200.000đ`)."""


def _unclaimed_guess(case: dict[str, Any], kind: str, value: str, seq: int) -> bool:
    """An amount the customer guesses at that its author did not label: the fifteenth, sixteenth and eighteenth
    authors label a guess (`the contents were worth about 600 GBP`, `ca. 38 EUR pro Stück`), the development set's and
    the first, fourth, seventh and eighth authors leave it out (`about $900`, `like 40 bucks`, `750 kroner or so`);
    since test18's round the comparison takes neither side: found and not labelled, it counts as nothing."""
    if kind != "amount":
        return False
    text = next((m["text"] for m in case["messages"] if m["seq"] == seq), "")
    at = text.find(value)
    return at >= 0 and bool(
        GUESS_BEFORE.search(text, max(0, at - 24), at) or GUESS_AFTER.match(text, at + len(value))
    )


def _compared(
    case: dict[str, Any], packet: HandoffPacket
) -> tuple[set[tuple[str, Key]], set[tuple[str, Key]]]:
    """(expected, found) of one case as (case id, key), without the unlabelled contacts of a pasted email
    (`_unclaimed_contact`), since test14's round the unlabelled serials (`_unclaimed_serial`), since test17's round
    the unlabelled first mentions a correction replaces (`_corrected`) and since test18's round the unlabelled guesses
    (`_unclaimed_guess`)."""
    expected = {(case["id"], _key(case, e["kind"], e["value"], e["seq"])) for e in case["entities"]}
    found = set()
    for e in packet.entities:
        key = (case["id"], _key(case, e.kind, e.value, e.seq))
        if key in expected or not (
            _unclaimed_contact(case, e.kind, e.value, e.seq)
            or _unclaimed_serial(case, e.kind, e.value, e.seq)
            or _corrected(case, e.kind, e.value, e.seq)
            or _unclaimed_guess(case, e.kind, e.value, e.seq)
        ):
            found.add(key)
    return expected, found


def _packet(case: dict[str, Any]) -> HandoffPacket:
    """The case as Baton would hold it: stored messages, a plain trail, an escalation at its escalating seq."""
    cid = case["id"]
    customer = Customer(id="cust", account_id="acct")
    messages = [
        StoredMessage(
            conversation_id=cid,
            message_id=f"{cid}-m{m['seq']}",
            seq=m["seq"],
            role=Role(m["role"]),
            text=m["text"],
            sent_at=NOW - timedelta(minutes=100 - m["seq"]),
            received_at=NOW - timedelta(minutes=100 - m["seq"]),
            customer=customer,
            bot=BotInfo(confidence=0.6) if m["role"] == "bot" else None,
        )
        for m in case["messages"]
    ]
    trail: list[dict[str, Any]] = [
        {
            "seq": m.seq,
            "message_id": m.message_id,
            "sentiment": -0.1 * i,
            "frustration": min(1.0, 0.2 * i),
            "intent": None,
            "signals": [],
        }
        for i, m in enumerate(m for m in messages if m.role == Role.customer)
    ]
    seq = case["escalated_seq"]
    conversation = Conversation(
        conversation_id=cid, customer=customer, created_at=NOW, updated_at=NOW, messages=messages, trail=trail
    )
    escalation = EscalationDecided(
        event_id=f"{cid}-e",
        conversation_id=cid,
        seq=seq,
        message_id=f"{cid}-m{seq}",
        action="escalate",
        risk=0.9,
        reasons=[Reason(code="frustration", label="Frustration", contribution=1.0, evidence="0.9")],
        model_version="test",
        decided_at=NOW,
    )
    return build_packet(conversation, escalation, Context(now=NOW), now=NOW, products=case["products"])


@pytest.fixture(scope="module")
def scored() -> tuple[set[tuple[str, Key]], set[tuple[str, Key]], list[HandoffPacket]]:
    """(expected, found) as (case id, (kind, normal value, seq)), and the packets."""
    expected, found, packets = set(), set(), []
    for case in _cases():
        packet = _packet(case)
        packets.append(packet)
        want, got = _compared(case, packet)
        expected |= want
        found |= got
    return expected, found, packets


def _report(expected: set[tuple[str, Key]], found: set[tuple[str, Key]]) -> str:
    kinds = sorted({k for _, (k, _, _) in expected | found})
    want, got = Counter(k for _, (k, _, _) in expected), Counter(k for _, (k, _, _) in found)
    hit = Counter(k for _, (k, _, _) in expected & found)
    rows = [f"{'kind':<11} {'recall':>14} {'precision':>14}"]
    for kind in kinds:
        recall = f"{hit[kind]}/{want[kind]}" + (f" {hit[kind] / want[kind]:.0%}" if want[kind] else "")
        precision = f"{hit[kind]}/{got[kind]}" + (f" {hit[kind] / got[kind]:.0%}" if got[kind] else "")
        rows.append(f"{kind:<11} {recall:>14} {precision:>14}")
    missed = sorted(expected - found)
    extra = sorted(found - expected)
    rows.append(f"missed: {missed[:25]}")
    rows.append(f"extra: {extra[:25]}")
    return "\n".join(rows)


def test_the_labelled_set_is_large_and_varied_enough_to_mean_something() -> None:
    cases = _cases()
    kinds = Counter(e["kind"] for case in cases for e in case["entities"])
    assert len(cases) >= 50
    assert {
        "order_id",
        "invoice_id",
        "ticket_id",
        "amount",
        "date",
        "error_code",
        "product",
        "email",
        "phone",
    } <= set(kinds)
    assert sum(kinds.values()) >= 120


def test_recall_of_what_the_customer_typed_before_the_escalation(scored: Any) -> None:
    expected, found, _ = scored
    recall = len(expected & found) / len(expected)
    assert recall >= MIN_RECALL, f"recall {recall:.1%} < {MIN_RECALL:.0%}\n{_report(expected, found)}"


def test_precision_of_the_entities_found(scored: Any) -> None:
    expected, found, _ = scored
    precision = len(expected & found) / len(found)
    assert precision >= MIN_PRECISION, (
        f"precision {precision:.1%} < {MIN_PRECISION:.0%}\n{_report(expected, found)}"
    )


def test_nothing_is_read_from_bot_or_agent_turns_or_after_the_escalation(scored: Any) -> None:
    _, _, packets = scored
    for case, packet in zip(_cases(), packets, strict=True):
        customer_seqs = {m["seq"] for m in case["messages"] if m["role"] == "customer"}
        for entity in packet.entities:
            assert entity.seq in customer_seqs and entity.seq <= case["escalated_seq"], (case["id"], entity)


def test_each_entity_is_reported_once_at_its_first_mention(scored: Any) -> None:
    _, _, packets = scored
    for packet in packets:
        keys = [(e.kind, _normal(e.value, e.kind)) for e in packet.entities]
        assert len(keys) == len(set(keys)), packet.conversation_id
        assert [e.seq for e in packet.entities] == sorted(e.seq for e in packet.entities)


def test_a_payment_reference_is_an_order_or_an_invoice_alike_and_a_day_with_or_without_its_words() -> None:
    """The comparison's rules of test27's round (`PAYMENT_REFERENCE`, `ARTICLE`, `GUESS_BEFORE`)."""

    def case(text: str, question: str = "How can I help?") -> dict[str, Any]:
        return {
            "messages": [
                {"seq": 1, "role": "bot", "text": question},
                {"seq": 2, "role": "customer", "text": text},
            ]
        }

    paid = case("txn id T2403121845 paid via UPI")
    assert _key(paid, "invoice_id", "T2403121845", 2) == _key(paid, "order_id", "T2403121845", 2)
    asked = case("PMT-4410928 is the first one", "Do you have the payment confirmation numbers?")
    assert _key(asked, "invoice_id", "PMT-4410928", 2) == _key(asked, "order_id", "PMT-4410928", 2)
    bought = case("my order 55-1029 never came")
    assert _key(bought, "invoice_id", "55-1029", 2) != _key(bought, "order_id", "55-1029", 2)
    late = case("I paid by transfer last week and then wrote about my order 55-1029 twice")
    assert _key(late, "invoice_id", "55-1029", 2) != _key(late, "order_id", "55-1029", 2)
    assert _normal("on the 7th", "date") == _normal("7th", "date") == _normal("the 7th", "date")
    assert GUESS_BEFORE.search("обикновено плащам около ") and GUESS_BEFORE.search("sekitar ")


LABELLED_DIR = ROOT / "events" / "labelled"
HELD_OUT: Path | None = LABELLED_DIR / "handoff_entities_test28.jsonl"
"""The held-out set: 60 conversations (237 entities) by a twenty-eighth author who never saw the extractor, its tests
or the other sets; measured once at the end of test27's round, never read, tuned or trained on. (None when no blind set
is there: the next author's set is added here and measured once when it arrives.)"""
NO_HELD_OUT = pytest.mark.skipif(
    HELD_OUT is None, reason="no blind set: the next author's set is not yet added"
)
EARLIER_SETS = {
    # Each was held out once; since then the developers have read its misses (by family for the first and test4, one
    # by one for test3), so each is a regression floor now, not a measure of unseen text.
    "handoff_entities_test.jsonl": (
        0.96,
        0.97,
    ),  # 2026-12-06: recall 205/212 (96.7%), precision 205/209 (98.1%); after test4's families 209/212, 209/212
    "handoff_entities_test3.jsonl": (
        0.97,
        0.97,
    ),  # 2026-12-06: recall 224/230 (97.4%), precision 224/228 (98.2%); after test4's families 225/230, 225/229; with
    # the learned id reader 227/230, 227/232: it reads account numbers as ids, as test8's author labels them and
    # test3's does not (`account 7781-0021`); since test13's round, which reads an account's or a customer's number as
    # an id as five authors of seven label it, 227/230, 227/234 (97.0%: `klantnummer 30019283` too)
    "handoff_entities_test4.jsonl": (
        0.99,
        0.98,
    ),  # measured blind 81.5% / 95.4%; after its misses were read by family: 227/227 (100%), 227/231 (98.3%)
    "handoff_entities_test5.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 81.7% / 92.2%; after its misses were read by family: 230/230 (100%), 230/230 (100%)
    "handoff_entities_test6.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 87.7% / 96.6%; after its misses were read by family: 228/228 (100%), 228/228 (100%)
    "handoff_entities_test7.jsonl": (
        0.98,
        0.99,
    ),  # measured blind 88.7% / 95.3%; after its misses were read by family: 226/230 (98.3%), 226/228 (99.1%); the
    # four left are kinds the author reads otherwise (`WO-11873`, `RMA 20-99417`: tickets to them, orders to the
    # extractor), a bare `COC-26-0455` no word names, and a corrected id after "sorry" (`BF77310924GB`); with the
    # learned id reader 228/230, 228/230
    "handoff_entities_test8.jsonl": (
        0.91,
        0.93,
    ),  # measured blind 85.7% / 93.8%; a development set since, its misses read but fixed by no pattern: left out of
    # the learned id reader's training 89.6% / 93.6%, trained on 210/230 (91.3%), 210/224 (93.8%); what is left is
    # kinds read otherwise (`RMA`, `repair ref`, `skadeärende`), Turkish lira and months, ranges and short dates; since
    # test9's round (the reader reads codes and a day and a month) 214/230 (93.0%), 214/228 (93.9%)
    "handoff_entities_test9.jsonl": (
        0.90,
        0.96,
    ),  # measured blind 87.8% / 96.2%; a development set since test9's round, fixed by no pattern: left out of the
    # learned reader's training 89.1% / 96.2% (`bench/handoff.py --loao`), trained on 208/230 (90.4%), 208/215
    # (96.7%); what is left is ids of shapes no set had, kinds read otherwise, short codes, `invalid_grant`, `15. 4`,
    # `NOK 1 499,00`
    "handoff_entities_test10.jsonl": (
        0.96,
        0.97,
    ),  # measured blind 86.0% / 92.5%; a development set since test10's round, its families fixed in general words
    # (abbreviated day names, Turkish lira and months, a month and its year, a range of days, phones after a phone or
    # number word, a prefix inside an id, a quote's and a complaint's reference, codes after an error message's colon):
    # left out of the learned reader's training 95.6% / 97.3% (`bench/handoff.py --loao`), trained on 220/228
    # (96.5%), 220/226 (97.3%); what is left is kinds read otherwise (claims as orders: `CLM 009 8812`, `SIN 44
    # 7812`, `SZK-55120`), ids no word names (`FAM-20-8812`, `T-00981`) and what a customer or member holds; since
    # test11's round (claims compared as orders or tickets alike, the reader trained on test11 too) 221/228 (96.9%),
    # 221/225 (98.2%)
    "handoff_entities_test11.jsonl": (
        0.97,
        0.97,
    ),  # measured blind 83.4% / 89.3%; a development set since test11's round, its misses and false hits read by
    # family and fixed in general words (ids and codes read out a character at a time, dates and amounts in words,
    # ranges of amounts, a bank statement's lines, a day's name after a Turkish date or abbreviated before numbers,
    # codes closing a quoted message, a payment platform's generated ids, ids whose kind an earlier word says) and
    # claims and files compared as orders or tickets alike: left out of the learned reader's training 96.9% / 97.8%
    # (`bench/handoff.py --loao`), trained on 223/229 (97.4%), 223/228 (97.8%); what is left is a reference's kind
    # read otherwise (`install ref`, `cancellation ref`: orders to this author, tickets to test6's), an account's
    # number spelled out, a citation (an order's to this author, a fine's invoice to the packet), `superbill`, a
    # guessed range in words and a system's id no word names
    "handoff_entities_test12.jsonl": (
        0.99,
        0.98,
    ),  # measured blind 93.9% / 91.9% (94.3% / 95.6% under test12's round's comparison: a pasted email's unlabelled
    # contacts count as nothing, an SPN without its FMI); a development set since test12's round, its misses and false
    # hits read by family and fixed in general words (ids in spaced groups with capitals in either case or after a
    # bare number's word, a device's short fault code, an error's word in Turkish, Czech, Hungarian and Romanian, a
    # quoted failure name with its number, an amount after an id's last group, booking, tenancy, withdrawal and pledge
    # words, no error in an HS code): left out of the learned reader's training 99.1% / 97.9% (`bench/handoff.py
    # --loao`), trained on 229/230 (99.6%), 229/233 (98.3%); what is left is `58-2210-9` (a print job's), a company's
    # own address typed in prose, `HTTP/1.1 422` before a JSON code, `ApiError`, `violin 3/4` and a console's URL;
    # since test13's round 230/230 (100%), 230/234 (98.3%)
    "handoff_entities_test13.jsonl": (
        0.99,
        0.98,
    ),  # measured blind 93.0% / 95.5% (round 13's extractor the same); a development set since test13's round, its
    # misses and false hits read by family and fixed in general words (a lab's or a packing slip, a German compound's
    # linking `s` before its number word, an account's, a customer's or a member's number, a range of days before a
    # month, a day's name abbreviated before a hyphenated day and month or with its dot, an error's word capitalised
    # and glued to its number, a fault's name after what a screen shows, a payment platform's state of an account, a
    # whole amount's `,-` before its currency, a currency's symbol after a comma, a product of several words after a
    # full stop with no space; no code of a version's three dotted numbers or a size) and references compared as
    # orders or tickets alike: left out of the learned reader's training 100% / 98.7% (`bench/handoff.py --loao`),
    # trained on 229/229 (100%), 229/232 (98.7%); what is left is two serials (`seriale GC19-004471`, `serial
    # DF-CU-000318`) the author leaves out, as the development set and the sixth author label them, and a first,
    # truncated mention of an id the next message corrects (`ordine 4471-BX`); since test14's round (serials compared
    # as the authors disagree) 229/229, 229/230 (99.6%)
    "handoff_entities_test14.jsonl": (
        0.99,
        0.98,
    ),  # measured blind 93.1% / 98.3% (the session's start 89.8% / 96.9%); a development set since test14's round, its
    # misses and false hits read by family and fixed in general words (a device's, a vehicle's or a supply point's
    # number as a serial is: IMEI, VIN, a frame's, MPAN; a Czech order and invoice and their `č.`, an account or an
    # invoice ending a German or Dutch compound, `conf #`, a cancellation request a case's, a booking's code after a
    # bare reference, a voucher's code of groups, capitals and a number answering a customer number's question, a
    # check letter closing grouped digits, the last day of a range of days and months, a day and a month with a space
    # after the dot) and a warranty claim's words compared as orders or tickets alike: left out of the learned
    # reader's training 100% / 99.2% (`bench/handoff.py --loao`), trained on 246/246 (100%), 246/248 (99.2%); what is
    # left is a program's job id (`job_7f3a91c`) and a zero amount (`paid out €0`) the author leaves out
    "handoff_entities_test15.jsonl": (
        0.94,
        0.97,
    ),  # measured blind 88.5% / 96.0% (round 15's extractor 87.7% / 95.5%); a development set since test15's round,
    # its misses and false hits read by family and fixed in general words (a patient's, a supplier's or a vendor's
    # number and a membership's as an account's; a delivery or goods note and a waybill in Polish, German, Dutch,
    # French, Spanish and Italian as a slip is; a lot's or a batch's number; the Czech `variabilní symbol` (`VS`) an
    # invoice's; a customer's number asked for in other languages; `melding` a case; a day and a month after `op`,
    # `am`, `le`, `el`; a status code after the Polish `statusie`; grouped digits after two or three, a check digit
    # closing them, and digits with a letter before a group of five or more) and fines compared as any id alike:
    # left out of the learned reader's training 94.7% / 97.9% (`bench/handoff.py --loao`), trained on 230/243
    # (94.7%), 230/235 (97.9%); what is left is a vehicle's registration (one author of four labels it), an account's
    # name with no digit (`acme-bookkeeping`), bank references as an invoice's, ids answering a question for a card's
    # or a scooter's number, `'ERR 31 - gyro'`, `INV 20419` kept with its word, a quote read as the invoice after it,
    # a guessed amount (`about £30`) and a product's code read as an error's (`code LN-120-P`); since test17's round
    # (`INV 20419` compared without its word, a quote an order's, a card's number answering its question) 233/243
    # (95.9%), 233/236 (98.7%)
    "handoff_entities_test16.jsonl": (
        0.96,
        0.98,
    ),  # measured blind 88.4% / 97.3% (the session's start 87.1% / 96.8%); a development set since test16's round,
    # its misses and false hits read by family and fixed in general words (an id typed again in the shape of an earlier
    # one, a correction or a second guess; the bot's question asking number first, `numéro de contrat`, `numero della
    # fattura`; an answer after a French, Spanish, German or Polish yes and `n°`, a document series' or digits with a
    # letter before a group of five; a candidate's, an applicant's, a learner's, an installation's number and a
    # library card's as an account's; a whole amount's `,--`; Polish months of twelve letters; a sum with no currency
    # paid, priced or charged each; `24/7` no date, a padded day and month after an id's word no id): left out of the
    # learned reader's training 95.9% / 98.7% (`bench/handoff.py --loao`), trained on 233/241 (96.7%), 233/236
    # (98.7%); what is left is a lab's case as an order (`Case 24-3381`: a ticket to the development set and six
    # authors), guessed amounts (`about £38`, `ca. 38 EUR`: no other author labels one), a storage unit (`unit
    # C-114`), a logger's device (`DEVICE CT-S 00419-B`), `SK-CH 220419`, a deposit slip's `n° 0912/AL`, a customs
    # status (`CX-HOLD 41`), a Spanish mobile after `llamen al`, a product not on the team's list (`audeo L90`) and a
    # meter reading read as a phone; since test17's round (`SK-CH 220419`, `llamen al`) 235/241 (97.5%), 235/237
    # (99.2%)
    "handoff_entities_test17.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 92.6% / 95.9% (the session's start the same); a development set since test17's round, its
    # misses and false hits read by family and fixed in general words (an id a line break splits after its hyphen; a
    # product's name in the plural; a day and a month with the time of day after them; Google Play's order number an
    # order's; the bot's question naming an answer's kind before a word after it; a permit's number, a job's lettered
    # number, a card's number and capitals with one group and a check letter; no phone nor id after a company's register
    # or tax word; a phone answering the question in other languages after an email; a fine in Czech and Polish; a
    # series with a month between; the second of two documents asked for; whose side an id is, or what a few words
    # before `is` name; a quote's id an order's), and an invoice's `INV` and a corrected first mention compared as the
    # authors disagree: left out of the learned reader's training 100% / 100% (`bench/handoff.py --loao`; the
    # patterns written on it flatter it), trained on 229/229, 229/229
    "handoff_entities_test18.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 94.5% / 98.2% (the session's start the same); a development set since test18's round, its
    # misses and false hits read by family and fixed in general words (two amounts a change joins, `jumped from £96 to
    # £211`, not a range; a parcel's number whose first group is a digit and a capital, `1Z 84F 229 03 1144 7730`; a
    # day and a month with a space after the dot after a day's name, `ve středu 5. 3.`; a policy's number in Danish,
    # Norwegian and Swedish, `police nr.`; Finnish id words, `tilausnumero`; a season, rail or event ticket's number
    # an order's, not a case's; a parking or charging session's id; a backer's, a donor's or a supporter's number; the
    # Italian, German, Spanish and Portuguese case words as a bare number's kind, `segnalazione ..., numero`; a Nordic
    # insurance claim, `skadenummer`, `skadeärende`), guessed amounts read and compared as the authors disagree, and a
    # Nordic claim an order's or a ticket's alike: left out of the learned reader's training 100% / 100%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 237/237, 237/237
    "handoff_entities_test19.jsonl": (
        0.98,
        0.98,
    ),  # measured blind 94.0% / 97.3% (round 19's extractor 93.1% / 97.3%); a development set since test19's round,
    # its misses and false hits read by family and fixed in general words (an account's number typed in groups,
    # `acct 4410 2298 7`, `Account no. 301 448 902`; a phone after a contact word, `proszę o kontakt 601 224 839`; a
    # day and a month after the Danish `d.`, `d. 2/5`, closed by its dot with the sentence going on, `erä 15.4.
    # veloitettiin`, and one digit each joined by a hyphen after a date's word, `on 3-6`; `kundenr.`; the bot's
    # question for an id in one compound word, `Ihre Versicherungsscheinnummer?`, answered by capitals, groups and a
    # check digit, `HR 5530 0917-2`; a device's IMEI a few words before its digits no phone; a paid sum with cents
    # and no currency, `paid 24.99 on paypal`; a series' number after a spaced slash, `MV 2291 / 44`; a carrier's
    # parcel number with no word, `JD014400772219870`): left out of the learned reader's training 99.1% / 98.7%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 231/233 (99.1%), 231/234
    # (98.7%); what is left is a vehicle's registration (`Reg WX19 KPL`: two authors of seven label one) and a
    # product return's code read as an error's (`return code NL9RT7713K`)
    "handoff_entities_test20.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 97.5% / 96.7% (the session's start 95.9% / 96.7%); a development set since test20's round, its
    # misses and false hits read by family and fixed in general words (a booking's word in German, Dutch, Italian,
    # Polish, Czech and Norwegian, `Ihre Reservierungsnummer.` - `AV 5590 2231.`; a list's next id typed later, `case
    # 01928344 and then 01931102`, no phone; a platform's generated id of six characters or more, `org id
    # org_9f2KxL`, not a request's; a day and a month with a time guessed at after them, `ride was 19/7 around 23:40`,
    # a date, not the ride's id; no part of an IBAN an id; no date in a street's house number, `ul. Długa 14/3`; an
    # exception's name no code where its own code follows it, `SyncError: PD-SYNC-0412`; a quoted decline and its
    # reason one code, `'card_declined: do_not_honor'`): left out of the learned reader's training 99.6% / 99.6%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 240/241 (99.6%), 240/241
    # (99.6%); what is left is a bank account's IBAN the author labels an id (`Mijn rekening is NL91 SPFX ...`: the
    # development set leaves one out) and a product the author leaves out (`Hostberg SSL Pro`)
    "handoff_entities_test21.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 93.7% / 97.8% (the session's start the same); a development set since test21's round, its
    # misses and false hits read by family and fixed in general words (an id answering the bot's question after the
    # question's own words, `company id 77120-PF`, `odběrné místo 880 215 443.`; a booking's code answering the
    # question for a booking or a confirmation, `QX7LMP`, `LH-77102449`; an id alone answering a question that names
    # its kind, `Which order is this for?` - `GL-7730-2291-K`; an installation's, a company's or a store's number asked
    # for an order's, not a reference's; an answer's groups with a last group of two digits and the next thing asked
    # after `and`, `LB 0039 4471 29 and the new postcode`; a workspace's or a store's name in lower case joined by
    # hyphens or underscores, `workspace id acme-logistics-eu`, `store ID: vintage_vinyl_co`; a parcel in Polish and
    # Czech, `paczka 6209 ...`; a code after a colon closing a quote, `'Action required: RH-09'`; a status where a
    # link leads, `goes to a 404`; no id the reader adds after a part's, an item's or a sort code's word), and an
    # amount's dot and a baggage report compared as the authors disagree: left out of the learned reader's training
    # 100% / 100% (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 237/237, 237/237
    "handoff_entities_test22.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 97.1% / 97.5% (the session's start the same); a development set since test22's round, its
    # misses and false hits read by family and fixed in general words (a day, a month's name and a year joined by
    # hyphens, `14-Apr-2025`, a date, not an id; an error's word abbreviated in capitals, `shows ERR 23`, and a
    # fault's, `LOCKER FAULT 0x3E`; a booking's word in Swedish, Dutch, Polish, Czech and Finnish, `Bokningsnummer
    # XKR44PL`; a number sign for the number's word before `is`, `my account # is 3304 8812 9`; a player's tag,
    # `player id is xX_Vex_Xx#4471`; no id after a flight's word, `flight was TP1351`, or a person's identity
    # number's, `DNI 12345678Z`, nor an IP address, `203.0.113.42`), and an id opening the answer to a question
    # naming a claim compared as after a claim's word: left out of the learned reader's training 100% / 99.6%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 245/245, 245/246; what is left is
    # an ordinal alone the author leaves out (`our cycle starts on the 1st`: the development set labels one)
    "handoff_entities_test23.jsonl": (
        0.97,
        0.98,
    ),  # measured blind 94.8% / 98.2% (the session's start 94.3% / 98.2%); a development set since test23's round, its
    # misses and false hits read by family and fixed in general words (an error's word declined in Czech and Polish,
    # `hlásí chybu 691`; `je` and `jest` between an id's word and the id, `číslo smlouvy je 2200457813`; the Finnish
    # invoice's word declined, `laskussa 4410029387`; a booking's word in Spanish and Portuguese, `clave de
    # reservación: MXQ4LP`; a product return's code and a gift card's code an order's, not an error's, `return code
    # RS-55-1092`, `Gift Card with code 7721-XH9Q-2201`; an answer to the bot's question for a report's number, a
    # case's, capitals and groups of two digits and more, `DR 55 0192`): left out of the learned reader's training
    # 97.8% / 99.1% (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 224/230 (97.4%),
    # 224/227 (98.7%); what is left is a folio the author labels an invoice's (the comparison keeps an invoice's
    # apart), a fine's and a policy's number after `no.` a few words after their word, a serial answered in groups,
    # a status in a pasted JSON (`"status":429`: the twelfth author leaves one out), and a parcel's number the reader
    # trained on it reads cut; since test24's round (a number after a name and `no.`; the reader's extend threshold
    # 0.5) trained on 227/230 (98.7%), 227/228 (99.6%), left out 98.7% / 99.6%: the parcel's and a serial's groups
    # read whole, the policy's number found
    "handoff_entities_test24.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 93.9% / 96.8% (the session's start the same); a development set since test24's round, its
    # misses and false hits read by family and fixed in general words (a quoted failure's name and its code in
    # brackets one code, `'HUB_UNREACHABLE (0x1F)'`, and a quoted code and its reason after a colon, `'Error 402:
    # plan_limit_exceeded'`; a protocol's name before a code, `błąd PPPoE 691`; a fault's word before a code, `storing
    # A11`; a discount's code and a code the customer used no error's, `used code SPRING20`; the Finnish id words with
    # a possessive, `laskussani`, `tilaukseni`, and the euro declined, `412,80 euroa`; a booking's code after `ref is`
    # where the message names a flight or a hotel; capitals, a year and a group, `SIN 2025 004471`, after a comma and
    # a number's word; a card's number word glued to its name, `BahnCard-Nr.`; a number-porting code, `code RIO 02 P
    # 123456 ABC`, an order's, no error's; a day and a month after `today`, not a fraction, `3/4 of`; a number of six
    # digits or more after a name and `no.`, `PetCover Lifetime no. 3320991`; a claim's word in German, `Schadensmeldung
    # Nr.`; an id closing its sentence after its word and a few words, `ticket from the first visit 55-0931`; a bank
    # account's IBAN an order's id, as the twentieth author labels one too), and a bare reference's German word
    # compared as the other languages' (`Referenz TRX20250402-7781`): left out of the learned reader's training
    # 99.6% / 99.6% (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 228/229 (99.6%),
    # 228/229 (99.6%); what is left is an ordinal alone after `now the` (`it's now the 16th`: the development set leaves
    # `is now the 18th` out) and a receipt's reference the author leaves out (`receipt ref 004471-22`: twelve authors
    # label a receipt's)
    "handoff_entities_test25.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 96.2% / 98.3% (the session's start the same); a development set since test25's round, its
    # misses and false hits read by family and fixed in general words (a Danish month after a day, `3. marts 2024`;
    # the Finnish error word in its genitive, `näyttää virheen E-LINK-02`; `is` in Italian, Danish, Swedish, Spanish
    # and German between an id's word and the id, `il tracking è 1Z 4E8 X21 68 1122 7430`, no id before a decimal
    # comma and cents, and a bare meter's word and `is` a reading, `contatore è 08715`; capitals and a number joined by
    # hyphens after an id's word, `cert is DPS 8812-3390-11`; a certificate's word, a sales order's, `SO 7012245`, and
    # `conf` before digits, `booking conf 00045512`, an order's; a code something was booked with an order's, not an
    # error's, `reservé ... con código RSV-MX-20931`): left out of the learned reader's training 99.2% / 99.6%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 238/239 (99.6%), 238/239 (99.6%);
    # what is left is a claim's reference a relative clause of six words stands before (`the claim ref they gave me on
    # the phone was CLM 22-104877`: read as a phone); left out, a storage unit's number too (`unit B-214 at the Leeds
    # site`), which the reader trained on it reads; both read by patterns since test26's round (100% / 100%)
    "handoff_entities_test26.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 90.0% / 97.7% (the session's start the same); a development set since test26's round, its
    # misses and false hits read by family and fixed in general words (the forint, `18 430 Ft`, `89 900 Ft-ot`, and the
    # leu, `612,50 lei`, after a sum; a day and a month closed by their dots after a Czech preposition, `do 15. 2.`; the
    # Romanian months after a day, `pe 20 aprilie`, and the Greek ones; a year, a Hungarian month and a day, `2023.
    # szeptember 12-én`; the order, booking, contract, identifier, customer and invoice words of Hungarian, Romanian,
    # Turkish and Greek, declined, `számlám`, `szerződésszámom`, `comanda nr.`, `üyelik no`, a booking's code in
    # Greek capitals, `paraggelia`, the Czech `klient`, an employee's number, a rental's word; an id in brackets after its
    # word, `számlám (SZ-2025-118734)`; a failure's name of capitals in quotes, `'INVALID TICKET'`, and a decline's code
    # in brackets, `'Card declined (51)'`; no id the reader adds that is a version or an oil's grade, `v3.1.7`,
    # `5W-30`; a reference's word and a relative clause before `was`, `reference they gave me was MV/88/21C`, and `on
    # the phone` no phone's word; an answer in the words of the question for a customer's code, `código 7781`; capitals
    # and a number grouped by dots, `OS 12.448`, and lower-case capitals after `no.`, `agreement no. bl 40223`; a
    # storage unit's number, `Unit B-207`): left out of the learned reader's training 98.3% / 99.6%
    # (`bench/handoff.py --loao`; the patterns written on it flatter it), trained on 230/231 (99.6%), 230/231 (99.6%);
    # what is left is a dental lab's case its author labels an order's (`Case #DL-3391`: a ticket's to the packet, as
    # the sixteenth author's `Case 24-3381` is), and left out, the lab's cases listed after a count (`3 cases waiting:
    # 7781-A, 7782-A, 7790-B`), which the reader trained on it reads
    "handoff_entities_test27.jsonl": (
        0.99,
        0.99,
    ),  # measured blind 84.9% / 91.4% (the session's start 84.5% / 91.4%); a development set since test27's round, its
    # misses and false hits read by family and fixed in general words (the naira, the East African shillings, the
    # dong, the lev and the hryvnia, `₦45,000`, `KSh 2,500`, `185.000đ`, `246,80 лв.`, `2 450 грн`; the months of
    # Catalan, Icelandic, Estonian, Latvian, Slovenian, Croatian, Bulgarian, Ukrainian, Indonesian and Swahili after a
    # day, `12 de març`; the order, shipment, meter, contract, invoice, receipt, complaint and request words of those
    # languages with their number's words, `Naročilo št.`, `Račun br.`, `Siuntos numeris`, `замовлення №UA-77120`,
    # `Фактура №`, a complaint's word and an id in Cyrillic capitals, `pöördumise, number`, `resinya`; a company's id, a
    # UTR, an ARN, an RRR; a booking read out in three groups, `45 0087 61`; no day after `on the` where the message
    # counts floors), and the comparison's payment references (an order's and an invoice's alike), `on the 7th` and
    # the round's guessing words: left out of the learned reader's training 99.2% / 100% (`bench/handoff.py --loao`;
    # the patterns written on it flatter it), trained on 236/238 (99.2%), 236/236 (100%); what is left is a Vietnamese
    # transaction code a few words after its word (`mã giao dịch lần đầu là 4523871990`) and a meter's `REJECT 2`
}


def _scores(path: Path, blind: bool = False) -> tuple[float, float, str]:
    """Recall, precision and the failure's report of one set; `blind`: the report gives the figures per kind and names
    no entity (a blind set's misses are not to be read)."""
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected: set[tuple[str, Key]] = set()
    found: set[tuple[str, Key]] = set()
    for case in cases:
        want, got = _compared(case, _packet(case))
        expected |= want
        found |= got
    hit = expected & found
    report = _report(expected, found)
    if blind:
        report = "\n".join(line for line in report.splitlines() if not line.startswith(("missed:", "extra:")))
    return len(hit) / len(expected), len(hit) / len(found), report


@pytest.mark.parametrize("name", sorted(EARLIER_SETS))
def test_the_earlier_held_out_sets_keep_their_recall_and_precision(name: str) -> None:
    min_recall, min_precision = EARLIER_SETS[name]
    recall, precision, report = _scores(LABELLED_DIR / name)
    assert recall >= min_recall and precision >= min_precision, report


@NO_HELD_OUT
def test_the_held_out_set_keeps_its_measured_recall_and_precision() -> None:
    """Measured 2026-12-08, once at the end of test27's round (`bench/handoff.py --entities ... --against` the session's
    starting `packet.py`, round 27's, both with this round's reader and comparison; aggregates only): recall 204/237
    (86.1%), precision 204/218 (93.6%); the starting patterns with this round's reader 201/237 (84.8%), 201/215 (93.5%).
    A regression floor; test27's, measured 2026-12-08 at the end of test26's round, 202/238 (84.9%), 202/221 (91.4%),
    is in `EARLIER_SETS` since test27's round."""
    assert HELD_OUT is not None
    recall, precision, report = _scores(HELD_OUT, blind=True)
    assert recall >= 0.860 and precision >= 0.935, report


@NO_HELD_OUT
@pytest.mark.xfail(
    strict=True,
    reason="held-out recall 0.861 < 0.95 (precision 0.936) on text by a writer the extractor never saw; its misses are "
    "not read (a blind set): per kind, order ids 36/48 (36/42 found), ticket ids 8/13 (8/10 found), invoice ids 4/9, "
    "error codes 11/15 (11/13 found), dates 29/33, an order's or an invoice's id 5/7, amounts 36/37 (36/38 found), "
    "phones 13/13 (13/14 found), the other kinds all found",
)
def test_the_held_out_recall_meets_the_target() -> None:
    """Met on a blind writer at the end of test19's round (test20, 97.5%), missed at the end of test20's round (test21,
    93.7%), met at the end of test21's round (test22, 97.1%), missed at the end of test22's round (test23, 94.8%: by
    0.2 points, one entity short), missed at the end of test23's round (test24, 93.9%: by 1.1 points, three entities
    short), met at the end of test24's round (test25, 96.2%: by 1.2 points), missed at the end of test25's round (test26,
    90.0%: by 5.0 points, twelve entities short), missed at the end of test26's round (test27, 84.9%: by 10.1 points,
    25 entities short), missed at the end of test27's round (test28, 86.1%: by 8.9 points, 22 entities short)."""
    assert HELD_OUT is not None
    recall, _, report = _scores(HELD_OUT, blind=True)
    assert recall >= MIN_RECALL, report
