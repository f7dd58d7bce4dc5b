"""The training set of the default support taxonomy, built reproducibly from public sets and our own examples.

    baton train intent --format support --data ../shared/data --out layers/models

`--data` is the folder of public training sets (its README lists them and their licences); the repository adds
the taxonomy and the examples written for it (`events/labelled/`):

- `support_taxonomy.json`: 38 intents of general and SaaS support, each in one of six product areas (`billing`,
  `account`, `technical`, `how_to`, `cancellation`, `feedback`) with a skill and a base complexity.
- `support_intents.jsonl`: our own labelled messages ({"text", "intent"}), written where no public set speaks
  SaaS (SSO, 2FA, seats, outages, integrations and API, export and import, how-to, charges, cancellation...).
- `support_intents_test.jsonl`: a separate evaluation file written before any training, never trained on: every
  source row whose normalised text equals one of its messages is dropped here, and the trainer reports on it.

Public sources, each mapped into the taxonomy (the mapping is the tables below):
- Bitext customer service (CDLA-Sharing-1.0): the two CSVs, read with `utf-8-sig`; e-commerce-only intents
  (orders, delivery, shipping address) are left out; the texts equal to Banking77 items are dropped; at most
  `BITEXT_CAP` messages per support intent (Bitext is templated: more adds repetition, not wording).
- NLU++ (CC BY 4.0): the generic dialogue acts only: greetings, thanks and goodbyes, and requests for a human.
- CLINC150 (CC BY 3.0): greetings and thanks, blocked accounts and user names, and the out-of-scope class:
  CLINC's own out-of-scope queries plus `CLINC_OOS_PER_INTENT` queries of each intent that no support desk
  handles (travel, cooking, cars, music, small talk...). Banking and productivity intents are not used as
  out-of-scope examples: a SaaS customer asks about charges, calendars and to-do lists.
Messages are deduplicated on their normalised text (lower case, letters and digits); our own examples win.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
LABELLED = REPO / "events" / "labelled"
DEFAULT_TAXONOMY = LABELLED / "support_taxonomy.json"
DEFAULT_EXAMPLES = LABELLED / "support_intents.jsonl"
DEFAULT_EVAL = LABELLED / "support_intents_test.jsonl"
OOS = "oos"

BITEXT_FILES = ("Bitext_Sample_Customer_Service_Training_Dataset.csv", "TrainingdatasetBitextsample_20K.csv")
BITEXT_CAP = 80
BITEXT_MAP = {
    "get_invoice": "invoice",
    "check_invoice": "invoice",
    "check_invoices": "invoice",
    "payment_issue": "payment_failed",
    "check_payment_methods": "payment_method",
    "get_refund": "refund_request",
    "check_refund_policy": "refund_request",
    "track_refund": "refund_status",
    "recover_password": "password_reset",
    "create_account": "signup",
    "registration_problems": "signup",
    "edit_account": "account_settings",
    "switch_account": "account_settings",
    "newsletter_subscription": "account_settings",
    "delete_account": "close_account",
    "check_cancellation_fee": "cancellation_fee",
    "contact_customer_service": "contact_support",
    "contact_human_agent": "human_agent",
    "complaint": "complaint",
    "review": "feedback",
}
"""Bitext intent -> support intent. Left out: place/cancel/change/track_order, delivery_options/period,
set_up/change_shipping_address (a retail order is not a SaaS request)."""

BANKING77_EQUAL = frozenset(
    {
        "i forgot my password",
        "i lost my password",
        "i want to close my account",
        "i would like to delete my account",
        "how do i delete my account",
        "what do i need to do to get a refund",
        "i need a refund",
        "how do i close my account",
        "how can i close my account",
        "how do i reset my password",
        "my card was declined",
        "how do i request a refund",
        "can i get a refund",
        "how do i delete an account",
        "is it possible to delete the account",
        "how can i delete my account",
        "i want a refund",
        "is it possible to get a refund",
    }
)
"""Bitext texts equal (ignoring case and punctuation) to Banking77 train or test items: dropped, so a model
trained on both never sees a Banking77 test message (the data README asks for the test ones; this is a superset)."""

NLUPP_GENERIC = frozenset({"greet", "thank", "end_call", "acknowledge"})
NLUPP_HANDOFF_WITH = frozenset({"handoff", "greet", "thank", "acknowledge", "request_info", "affirm"})

CLINC_MAP = {
    "greeting": ("greeting_thanks", 30),
    "thank_you": ("greeting_thanks", 30),
    "goodbye": ("greeting_thanks", 30),
    "account_blocked": ("login_problem", 30),
    "user_name": ("login_problem", 20),
    "change_user_name": ("account_settings", 30),
}
"""CLINC150 intent -> (support intent, at most this many of its training queries)."""

CLINC_OOS_PER_INTENT = 3
CLINC_OOS_INTENTS = [
    "accept_reservations",
    "alarm",
    "are_you_a_bot",
    "book_flight",
    "book_hotel",
    "calculator",
    "calories",
    "cancel_reservation",
    "car_rental",
    "carry_on",
    "change_accent",
    "change_ai_name",
    "change_speed",
    "change_volume",
    "confirm_reservation",
    "cook_time",
    "current_location",
    "date",
    "definition",
    "directions",
    "distance",
    "do_you_have_pets",
    "flight_status",
    "flip_coin",
    "food_last",
    "fun_fact",
    "gas",
    "gas_type",
    "how_busy",
    "how_old_are_you",
    "ingredient_substitution",
    "ingredients_list",
    "international_visa",
    "jump_start",
    "last_maintenance",
    "lost_luggage",
    "meal_suggestion",
    "meaning_of_life",
    "measurement_conversion",
    "mpg",
    "next_holiday",
    "next_song",
    "nutrition_info",
    "oil_change_how",
    "oil_change_when",
    "play_music",
    "plug_type",
    "pto_balance",
    "pto_request",
    "pto_request_status",
    "pto_used",
    "recipe",
    "restaurant_reservation",
    "restaurant_reviews",
    "restaurant_suggestion",
    "roll_dice",
    "schedule_maintenance",
    "shopping_list",
    "shopping_list_update",
    "smart_home",
    "tell_joke",
    "time",
    "timer",
    "tire_change",
    "tire_pressure",
    "traffic",
    "translate",
    "travel_alert",
    "travel_notification",
    "travel_suggestion",
    "uber",
    "update_playlist",
    "vaccines",
    "weather",
    "what_are_your_hobbies",
    "what_is_your_name",
    "what_song",
    "where_are_you_from",
    "whisper_mode",
    "who_made_you",
]


class SupportDataError(ValueError):
    """A source is missing or malformed; the message names the file."""


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def read_jsonl(path: Path) -> list[tuple[str, str]]:
    """[(text, intent)] of a JSONL file of {"text", "intent"}; a bad line is an error naming its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SupportDataError(f"{path}: {exc.strerror or exc}") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, intent = item["text"], item["intent"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise SupportDataError(f'{path} line {n}: expected {{"text": ..., "intent": ...}}') from None
        if not isinstance(text, str) or not isinstance(intent, str) or not text.strip() or not intent.strip():
            raise SupportDataError(f"{path} line {n}: text and intent must be non-empty strings")
        rows.append((text.strip(), intent.strip()))
    return rows


def _sample(rows: list[str], cap: int, seed: str) -> list[str]:
    """At most `cap` of `rows`, the same ones on every run (seeded by a fixed string, not the training seed)."""
    rows = sorted(set(rows))
    if len(rows) <= cap:
        return rows
    return sorted(random.Random(seed).sample(rows, cap))


def bitext_rows(data: Path) -> list[tuple[str, str, str]]:
    by_intent: dict[str, list[str]] = {}
    for name in BITEXT_FILES:
        path = data / "bitext" / name
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for record in csv.DictReader(handle):
                    target = BITEXT_MAP.get((record.get("intent") or "").strip())
                    text = (record.get("utterance") or "").strip()
                    if target and text and normalise(text) not in BANKING77_EQUAL:
                        by_intent.setdefault(target, []).append(text)
        except OSError as exc:
            raise SupportDataError(f"{path}: {exc.strerror or exc}") from None
    return [
        (text, intent, "bitext")
        for intent in sorted(by_intent)
        for text in _sample(by_intent[intent], BITEXT_CAP, f"bitext:{intent}")
    ]


def nlupp_rows(data: Path) -> list[tuple[str, str, str]]:
    folds = sorted((data / "nluplusplus").glob("*/fold*.json"))
    if not folds:
        raise SupportDataError(f"{data / 'nluplusplus'}: no */fold*.json files")
    out = []
    for path in folds:
        for item in json.loads(path.read_text(encoding="utf-8")):
            intents = set(item.get("intents") or [])
            text = (item.get("text") or "").strip()
            if not text or not intents:
                continue
            if intents <= NLUPP_GENERIC:
                out.append((text, "greeting_thanks", "nlu++"))
            elif "handoff" in intents and intents <= NLUPP_HANDOFF_WITH:
                out.append((text, "human_agent", "nlu++"))
    return out


def clinc_rows(data: Path) -> list[tuple[str, str, str]]:
    path = data / "clinc150" / "train_val.json"
    try:
        clinc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SupportDataError(f"{path}: {exc}") from None
    by_intent: dict[str, list[str]] = {}
    for text, label in clinc.get("train", []):
        by_intent.setdefault(label, []).append(text)
    out = []
    for label, (target, cap) in CLINC_MAP.items():
        out += [(t, target, "clinc150") for t in _sample(by_intent.get(label, []), cap, f"clinc:{label}")]
    for label in CLINC_OOS_INTENTS:
        out += [(t, OOS, "clinc150") for t in _sample(by_intent.get(label, []), CLINC_OOS_PER_INTENT, label)]
    out += [(t, OOS, "clinc150") for t, _ in clinc.get("oos_train", []) + clinc.get("oos_val", [])]
    return out


def build(
    data: Path, examples: Path = DEFAULT_EXAMPLES, held_out: Path | None = DEFAULT_EVAL
) -> tuple[list[tuple[str, str]], dict[str, int], str]:
    """(rows, count by source, sha256 of the rows): our examples first, then Bitext, NLU++ and CLINC150.

    Rows whose normalised text is in the `held_out` evaluation file, or already taken, are dropped."""
    if not data.is_dir():
        raise SupportDataError(
            f"{data}: --format support reads a folder of data sets (bitext/, nluplusplus/, clinc150/)"
        )
    blocked = {normalise(t) for t, _ in read_jsonl(held_out)} if held_out is not None else set()
    sources: Iterable[tuple[str, str, str]] = [
        *((t, i, "ours") for t, i in read_jsonl(examples)),
        *bitext_rows(data),
        *nlupp_rows(data),
        *clinc_rows(data),
    ]
    rows: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    seen = set(blocked)
    for text, intent, source in sources:
        key = normalise(text)
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append((text, intent))
        counts[source] = counts.get(source, 0) + 1
    digest = hashlib.sha256("\n".join(f"{i}\t{t}" for t, i in rows).encode("utf-8")).hexdigest()
    return rows, counts, digest
