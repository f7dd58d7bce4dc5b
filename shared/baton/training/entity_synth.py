"""Labelled lines that carry shapes rather than instances, for `baton train entities --synthetic N`.

The labelled sets teach the learned reader (`baton.routing.entity_model`) the ids, codes and dates their authors
typed: a fresh writer brings other words (`Vorgang`, `pratica n.`, `folio`) and other shapes (`BP7-QKM2`,
`CLM.0092.A`, `2026/PL/0088`). This module composes conversations in the labelled sets' format from the parts that
vary independently: an id word of many languages (with the kind it names) x a number word x an id shape (groups,
separators, case, a check letter) x a sentence frame; error words x code shapes; date words x day-and-month shapes;
and hard negatives in the same frames (versions, sizes, quantities, rooms, gates, models, times, scores), so that a
shape alone never decides. Seeded: the same seed and count give the same lines.

    cases = synthetic_cases(600, seed=11)   # dicts shaped like `events/labelled/handoff_entities*.jsonl` lines
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from typing import Any

# fmt: off
ID_WORDS: dict[str, tuple[str, ...]] = {
    "order_id": (
        "order", "Bestellung", "Auftrag", "pedido", "commande", "ordine", "bestelling", "bestilling", "beställning",
        "zamówienie", "objednávka", "sipariş", "tilaus", "encomenda", "booking", "Buchung", "reserva", "reservation",
        "réservation", "prenotazione", "rezerwacja", "boeking", "bokning", "subscription", "Abo", "contract",
        "Vertrag", "contrato", "contratto", "account", "Kundenkonto", "member", "membership", "policy", "Police",
        "póliza", "polizza", "serial", "Seriennummer", "shipment", "Sendung", "envío", "spedizione", "zending",
        "parcel", "Paket", "colis", "folio", "voucher", "Gutschein", "loan", "lease", "licence", "rental",
    ),
    "invoice_id": (
        "invoice", "Rechnung", "factura", "facture", "fattura", "factuur", "faktura", "fatura", "nota fiscal",
        "receipt", "recibo", "ricevuta", "kvitto", "kvittering", "Quittung", "bill", "bolletta", "Beleg",
        "credit note", "Gutschrift", "avoir", "statement", "lasku", "fakturanummer", "Rechnungsnummer",
    ),
    "ticket_id": (
        "ticket", "case", "caso", "Vorgang", "Fall", "claim", "Schaden", "sinistro", "siniestro", "dossier",
        "pratica", "sprawa", "zgłoszenie", "ärende", "sak", "sag", "incident", "complaint", "Beschwerde",
        "reclamação", "reclamación", "reclamo", "réclamation", "klacht", "reklamace", "request", "Anfrage",
        "solicitud", "richiesta", "demande", "melding", "chamado", "protocolo", "Störungsmeldung", "report",
    ),
}
NUMBER_WORDS = (
    "", "", "", "no", "no.", "nr", "nr.", "n°", "n.", "n.º", "#", "number", "nummer", "número", "numero", "numer",
    "číslo", "ref", "ref.", "id", "ID:", ":", "is", "reference",
)
ERROR_WORDS = (
    "error", "error code", "Fehler", "Fehlercode", "erreur", "code d'erreur", "errore", "codice", "fout",
    "foutcode", "código", "código de erro", "błąd", "kod błędu", "hata kodu", "chyba", "fejl", "felkod", "virhe",
    "status", "reason", "reason code", "Störung", "shows", "displays", "zeigt", "affiche", "says", "zegt",
    "returns", "fails with", "failed with", "denied with", "declined with", "rejected with", "alarm", "fault",
)
DATE_WORDS = (
    "on", "before", "until", "by", "since", "from", "after", "voor", "tot", "op", "från", "till", "före",
    "innan", "am", "bis", "vor", "seit", "le", "avant", "jusqu'au", "el", "antes del", "hasta el", "dia", "até",
    "em", "il", "entro il", "dal", "do", "przed", "od", "den", "innen", "fra", "termin",
)
GREETINGS = ("", "", "hi, ", "hello, ", "Hallo, ", "bonjour, ", "hola, ", "ciao, ", "hej, ", "dzień dobry, ", "ok ")
TAILS = (
    "", ".", " is wrong", " zeigt nichts", " still open", " not found", " ne marche pas", " no aparece",
    " was cancelled", " shows an error", ", please check", " still not sorted", ", nobody answers", " - any news?", ". Danke",
    ", merci", ", gracias", " and I was charged twice", " but the app shows nothing", ", see attached",
)
WHOLE_ID = ("{word} {num} {id}", "{word} #{id}", "my {word} {num} {id}", "the {word} is {id}",
            "{word}: {id}", "{id} ({word})", "re {word} {num} {id}", "{word} {num} {id} from last week",
            "about {word} {num} {id}", "{word} {id}")  # fmt: skip
NEGATIVES: tuple[Callable[[random.Random], tuple[str, str]], ...] = (
    lambda r: ("version", f"{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 99)}"),
    lambda r: ("after the update to", f"v{r.randint(1, 9)}.{r.randint(0, 20)}"),
    lambda r: ("firmware", f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(100, 9999)}"),
    lambda r: ("the", f"{r.choice(['XR', 'KX', 'MX', 'RT', 'SG'])}-{r.randint(100, 9000)}"),
    lambda r: ("two", f"{r.choice(['QC', 'WH', 'TX'])}{r.randint(10, 999)}"),
    lambda r: ("room", f"{r.randint(100, 899)}"),
    lambda r: ("gate", f"{r.choice('ABCDEF')}{r.randint(10, 60)}"),
    lambda r: ("platform", f"{r.randint(1, 19)}"),
    lambda r: ("size", f"{r.choice([32, 64, 128, 256])}GB"),
    lambda r: ("screen", f"{r.choice([1920, 2560, 1280])}x{r.choice([1080, 1440, 720])}"),
    lambda r: ("about", f"{r.randint(2, 40)}/{r.randint(41, 99)}"),
    lambda r: ("score", f"{r.randint(1, 9)}-{r.randint(0, 9)}"),
    lambda r: ("at", f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"),
    lambda r: ("ISO", f"{r.choice([9001, 27001, 14001])}"),
    lambda r: ("only", f"{r.randint(2, 9)}/{r.randint(10, 12)}"),
    lambda r: ("step", f"{r.randint(1, 9)}.{r.randint(1, 9)}"),
    lambda r: ("we have", f"{r.randint(3, 400)}"),
    lambda r: ("pin", f"{r.randint(1000, 9999)}"),
    lambda r: ("flat", f"{r.randint(1, 40)}{r.choice('ABC')}"),
    lambda r: ("model", f"{r.choice(['A', 'SM-', 'HP '])}{r.randint(1000, 9999)}"),
    lambda r: ("chapter", f"{r.randint(1, 20)}.{r.randint(1, 20)}"),
    lambda r: (r.choice(("trace id", "correlation id", "x-request-id:", "commit")), _hex_id(r)),
    lambda r: (r.choice(("retry", "retrying", "attempt", "Versuch", "tentativa", "intento", "poging")), _try(r)),
    lambda r: (r.choice(("rated it", "page", "step", "seat", "row")), _try(r)),
)


def _hex_id(r: random.Random) -> str:
    if r.random() < 0.5:
        return "".join(r.choice("0123456789abcdef") for _ in range(r.choice((7, 12))))
    return "-".join("".join(r.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))


def _try(r: random.Random) -> str:
    total = r.randint(2, 10)
    return f"{r.randint(1, total)}/{total}" if r.random() < 0.8 else f"({r.randint(1, total)}/{total})"



def _letters(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.ascii_uppercase) for _ in range(n))


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _group(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.45:
        return _digits(r, r.randint(2, 6))
    if kind < 0.7:
        return _letters(r, r.randint(2, 4))
    mixed = [r.choice(string.ascii_uppercase + string.digits) for _ in range(r.randint(3, 6))]
    mixed[r.randrange(len(mixed))] = r.choice(string.digits)
    return "".join(mixed)


def id_shape(r: random.Random) -> str:
    """An id of a random shape: one to four groups (digits, capitals, both), one separator, a year, a check letter,
    a case; at least three digits."""
    while True:
        groups = [_group(r) for _ in range(r.choice((1, 2, 2, 3, 3, 4)))]
        if r.random() < 0.25:
            groups.insert(r.randrange(len(groups) + 1), str(r.randint(2019, 2027)))
        if r.random() < 0.15:
            groups.append(r.choice(string.ascii_uppercase))
        sep = r.choice(("-", "-", "/", ".", " ", "_", ""))
        value = sep.join(groups) if len(groups) > 1 else groups[0]
        if r.random() < 0.12:
            value = value.lower()
        elif r.random() < 0.08:
            value = "".join(c.lower() if r.random() < 0.5 else c for c in value)
        if sum(c.isdigit() for c in value) >= 3 and len(value) >= 4:
            return value


def code_shape(r: random.Random) -> str:
    """An error code of a random shape: `F-217`, `E42`, `AADSTS50011`, `PAY-3DS-05`, `0x8007`, `30051`."""
    return r.choice(
        (
            lambda: f"{_letters(r, 1)}-{_digits(r, r.randint(2, 3))}",
            lambda: f"{_letters(r, 1)}{_digits(r, r.randint(2, 3))}",
            lambda: f"{_letters(r, r.randint(2, 3))}-{_digits(r, 2)}",
            lambda: f"{_letters(r, r.randint(4, 7))}{_digits(r, 5)}",
            lambda: f"{_letters(r, 3)}-{_digits(r, 1)}{_letters(r, 2)}-{_digits(r, 2)}",
            lambda: f"{_letters(r, 1)}-{_letters(r, 3)}-{_digits(r, 2)}",
            lambda: _digits(r, r.randint(3, 5)),
            lambda: f"{_letters(r, 2)}{_digits(r, 4)}",
        )
    )()


def date_shape(r: random.Random) -> str:
    """A day and a month without a year: `21-04`, `14/2`, `1.9`, `03.11`."""
    day, month = r.randint(1, 28), r.randint(1, 12)
    d = f"{day:02d}" if r.random() < 0.4 else str(day)
    m = f"{month:02d}" if r.random() < 0.4 else str(month)
    return f"{d}{r.choice('/-.')}{m}"


def _case(n: int, text: str, entities: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "id": f"synthetic-{n:05d}",
        "products": [],
        "escalated_seq": 1,
        "messages": [{"seq": 1, "role": "customer", "text": text}],
        "entities": [{"kind": k, "value": v, "seq": 1} for k, v in entities],
    }


def synthetic_cases(n: int, seed: int = 11) -> list[dict[str, Any]]:
    """`n` one-message conversations: an id after its word, a code after an error's word or a day and a month
    after a date's word, each with a hard negative in another clause about half the time."""
    r = random.Random(seed)
    cases = []
    for i in range(n):
        roll = r.random()
        entities: list[tuple[str, str]] = []
        if roll < 0.6:
            kind = r.choice(tuple(ID_WORDS))
            value = id_shape(r)
            clause = r.choice(WHOLE_ID).format(word=r.choice(ID_WORDS[kind]), num=r.choice(NUMBER_WORDS), id=value)
            entities.append((kind, value))
        elif roll < 0.82:
            value = code_shape(r)
            clause = f"{r.choice(('the app', 'it', 'the terminal', 'the screen', 'portal'))} {r.choice(ERROR_WORDS)} {value}"
            entities.append(("error_code", value))
        else:
            value = date_shape(r)
            clause = f"{r.choice(('I need it', 'delivery', 'it was due', 'paid', 'booked', 'leaving'))} {r.choice(DATE_WORDS)} {value}"
            entities.append(("date", value))
        clause = " ".join(clause.split())
        if r.random() < 0.5:
            word, negative = r.choice(NEGATIVES)(r)
            other = f"{word} {negative}"
            join = r.choice((", ", "; ", " and ", " - ", " but "))
            clause = f"{clause}{join}{other}" if r.random() < 0.5 else f"{other}{join}{clause}"
        cases.append(_case(i, f"{r.choice(GREETINGS)}{clause}{r.choice(TAILS)}", entities))
    return cases
