"""The conversation arc: where a conversation is heading, folded one message at a time.

`ArcState` is what the scoring capability keeps per conversation (DynamoDB item `CONV#<id>` / `ARC`);
`advance(state, message, scores)` is a pure function that folds one scored message into it, and
`ArcState.public()` is the `baton.events.Arc` that `MessageScored` and `GET /v1/conversations/{id}` show.

What the arc measures, over the customer's messages only (bot and agent messages are not the customer's
mood):

- `sentiment_ewma`: exponentially weighted mean, `ewma = a * s + (1 - a) * ewma` with `a = EWMA_ALPHA` (0.4:
  the latest message weighs 40 %, its predecessors 24 %, 14 %, ...; half the weight lies on the last ~1.4
  turns), so one angry message moves it clearly and a run of them dominates.
- `sentiment_slope`: least-squares slope over the last `SLOPE_WINDOW` (5) customer sentiments, per
  customer turn: -0.3 means "a third of a point worse every message".
- `volatility`: standard deviation of the successive differences in that window: a customer swinging
  between polite and furious is volatile; one steadily declining is not (that is the slope's job).
- `peak_frustration`, `turns_since_positive` (sentiment >= `POSITIVE_SENTIMENT`), counts of repeats,
  rephrasings, negative feedback and requests for a human.
- `bot_failures`: bot answers that failed, each counted once, with its reason: the bot gave the same answer
  again after the customer came back to it: it is going round in a loop (word for word, or at least half of
  it in statements that say again, in the same or other words, what the previous answer stated; questions and
  courtesy do not count; the same
  `answer_id` is not enough: a flow's steps share one); the bot's own confidence was below
  `LOW_BOT_CONFIDENCE`; or
  the customer's reaction to it (their messages after it, before anyone else answers) gave negative feedback,
  asked for a human, or repeated or rephrased a question asked before the answer (not when the answer only asked
  the customer something, `asks_only`, nor when the reply says yes to what it offered, `accepts`: the reply then
  answers it, and may well say the request again; nor a question from before the customer said an answer worked,
  `ArcState.settled_seq`: one about the same thing after it is a new question). An answer that says the last one
  again after the customer said yes to it carries it out ("Shall I book 4A and 4B?" "yes please" "Booked: 4A and 4B"): no loop.

For repeat and rephrase detection the state remembers the last `RECENT` (5) substantive customer
messages (at least `MIN_TOKENS` words) as a MinHash signature of their character 3-grams (near-identical
text: estimated Jaccard >= `REPEAT_JACCARD`) and their sentence embedding (float16, base64; the encoder's
`rephrase_threshold` decides). Never the text: the arc holds nothing a reader could quote.
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
import re
import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from baton.events import Arc, MessageSnapshot, Scores
from baton.models import Role, UtcDatetime
from baton.ordered import OrderedState, remember
from baton.scoring.features import normalize, tokens
from baton.scoring.waiting import elapsed_days, promised_days

if TYPE_CHECKING:
    import numpy as np

EWMA_ALPHA = 0.4
SLOPE_WINDOW = 5
POSITIVE_SENTIMENT = 0.25
LOW_BOT_CONFIDENCE = 0.5
RECENT = 5
EARLIER_ANSWERS = 2
"""Answers before the last one whose statements are kept (`ArcState.earlier_answers`): a bot that alternates
between two answers ("restart the router", "move closer to the router", "restart the router") is in a loop too,
once the answer in between failed."""
MIN_TOKENS = 2
MINHASH_SIZE = 32
REPEAT_JACCARD = 0.7
STATEMENT_WORDS = 4
"""A sentence of a bot answer counts as a statement (`statements`) from this many words, and when it is not a
question: "Is there anything else I can help you with?" is said after every answer."""
SAME_ANSWER_SHARE = 0.5
"""An answer is the same again when its statements that repeat the previous answer's make up this share of its
words."""
SAME_STATEMENT_OVERLAP = 0.8
"""A statement repeats an earlier one when this share of the content words of the shorter of the two are in the
other: "Transfers usually take 2-3 business days." repeats "Prescription transfers typically take 2-3 business
days, as we need to contact your previous pharmacy." (5 of its 6)."""

SAME_STATEMENT_CONTENT = 3
"""A statement with fewer content words never repeats one: "Next Day it is." after an answer that listed "Next Day is
£89 + VAT" confirms the customer's choice in its own words (two content words, both in the list)."""

# Bot-failure reasons (keys of `Arc.bot_failure_reasons`).
LOW_CONFIDENCE = "low_confidence"
NEGATIVE_FEEDBACK = "negative_feedback"
REPEAT = "repeat"
REPHRASE = "rephrase"
ASKED_FOR_HUMAN = "asked_for_human"
REPEATED_ANSWER = "repeated_answer"
OVERDUE = "overdue"
"""The customer says more time has passed than the answer's time frame ("within 3-5 business days" answered
with "it's been six weeks"): an answer that cannot help (`baton.scoring.waiting`)."""

_PRIME = (1 << 31) - 1  # MinHash permutations: (a * h + b) mod p; a, b < p and h < 2^31 fit in uint64.
_MINHASH_A = tuple(
    1 + zlib.crc32(f"baton-minhash-a-{i}".encode()) % (_PRIME - 1) for i in range(MINHASH_SIZE)
)
_MINHASH_B = tuple(zlib.crc32(f"baton-minhash-b-{i}".encode()) % _PRIME for i in range(MINHASH_SIZE))


class Recent(BaseModel):
    """A remembered customer message: enough to recognise it said again, never its text."""

    message_id: str
    seq: int
    minhash: str
    """MINHASH_SIZE uint32 (little-endian), base64."""
    embedding: str | None = None
    """The sentence embedding as float16 (little-endian), base64; None when none was computed."""
    bot_turns: int | None = None
    """The bot's answers before this message (None in states stored before 2026-12): said again word for word,
    the message shows that every answer since failed, not only the last."""
    bot_failures: int | None = None
    """The failed answers counted before this message (with `bot_turns`: the answers since not yet counted)."""
    agent_turns: int | None = None
    """The agents' answers before this message: answers on both sides of an agent's are not counted together."""


class LastBot(BaseModel):
    message_id: str
    seq: int
    confidence: float | None = None
    answer_id: str | None = None
    failed: str | None = None
    """Why this answer counts as failed (a reason above); None while it stands."""
    fingerprint: str | None = None
    """CRC-32 of the answer's normalised text: recognises the same answer given again, never quotes it."""
    statements: list[str] = Field(default_factory=list)
    """Hashed content words and word count of each statement (`statements`): recognises the same answer said
    again in other words or with a sentence added or dropped, never quotes it."""
    customer_turns: int = 0
    """The customer's turns when the answer was given: a repeated answer counts only after the customer spoke."""
    promised_days: float | None = None
    """The longest time frame the answer names, in days (`baton.scoring.waiting`); never its words."""
    asked: bool = False
    """The answer only asks the customer something (`asks_only`): what they say next answers it, and says again
    what they asked before only because the bot asked for it."""
    offered: bool = False
    """The answer ends with a question ("4A and 4B are free. Shall I book them for £48?"): a yes to it (`accepts`)
    goes along with what it offered or read back."""


class ArcState(OrderedState):
    """Everything the arc needs to fold the next message; stored as JSON, read back leniently."""

    model_config = ConfigDict(extra="ignore")

    last_seq: int = 0
    customer_turns: int = 0
    bot_turns: int = 0
    agent_turns: int = 0
    sentiment_ewma: float | None = None
    sentiments: list[float] = Field(default_factory=list)
    """The last SLOPE_WINDOW customer sentiments, oldest first."""
    peak_frustration: float | None = None
    turns_since_positive: int | None = None
    repeats: int = 0
    rephrasings: int = 0
    negative_feedback: int = 0
    human_requests: int = 0
    bot_failures: int = 0
    bot_failure_reasons: dict[str, int] = Field(default_factory=dict)
    unscored_messages: int = 0
    last_answer_role: Role | None = None
    """Who answered last (bot or agent): the customer's next messages react to that answer."""
    accepted: bool = False
    """A customer message since the bot's last answer accepts what it offered or read back (`LastBot.offered`,
    `accepts`: "yes please", "ok do that"): the next answer that says it again carries it out, it is no loop."""
    settled_seq: int = 0
    """The seq of the last customer message that says the bot's answer worked (`settles`, positive, no negative
    feedback, asks for nobody: "got them!! thanks"): what the customer asked before it was settled, so
    a question about the same thing after it ("also the bonus gems for a first purchase?") is a new question, not
    one the bot failed to answer."""
    last_bot: LastBot | None = None
    earlier_answers: list[list[str]] = Field(default_factory=list)
    """The statements (`statements`) of up to EARLIER_ANSWERS bot answers before `last_bot`, oldest first, since the
    last agent answer: the same answer again may come back after another one. Never the text."""
    encoder_version: str | None = None
    """The encoder that produced the remembered embeddings: another one's are not comparable."""
    recent: list[Recent] = Field(default_factory=list)
    redacted: dict[str, UtcDatetime] = Field(default_factory=dict)
    """Messages the helpdesk redacted -> when (`baton.ordered`): forgotten here, scored as redacted."""
    trail: list[dict[str, Any]] = Field(default_factory=list)
    """The latest customer messages' scores, oldest first (`baton.scoring.service.TRAIL` of them)."""
    customer_scores: dict[str, Any] | None = None
    """The latest scored customer message's scores, as the conversation shows them while the bot or an agent
    answers (`baton.scoring.service.ScoringLogic.view`)."""

    def public(self) -> Arc:
        return Arc(
            sentiment_ewma=_round(self.sentiment_ewma),
            sentiment_slope=_round(slope(self.sentiments)),
            volatility=_round(volatility(self.sentiments)),
            peak_frustration=_round(self.peak_frustration),
            turns_since_positive=self.turns_since_positive,
            repeats=self.repeats,
            rephrasings=self.rephrasings,
            bot_failures=self.bot_failures,
            customer_turns=self.customer_turns,
            bot_turns=self.bot_turns,
            agent_turns=self.agent_turns,
            human_requests=self.human_requests,
            negative_feedback=self.negative_feedback,
            bot_failure_reasons=dict(self.bot_failure_reasons),
            last_bot_confidence=self.last_bot.confidence if self.last_bot else None,
            last_bot_failed=self.last_bot.failed if self.last_bot else None,
            unscored_messages=self.unscored_messages,
        )

    def recent_message(self, message_id: str | None) -> Recent | None:
        return next((r for r in self.recent if r.message_id == message_id), None) if message_id else None


def advance(
    state: ArcState, message: MessageSnapshot, scores: Scores, *, remember: Recent | None = None
) -> ArcState:
    """The state after `message` (scored `scores`). Pure: `state` is not modified.

    `remember` is the message's `Recent` record when it should be remembered for repeat and rephrase
    detection (the scorer builds it). Messages must come in `seq` order; a gap (seq jumping past
    `last_seq + 1`) is counted in `unscored_messages`.
    """
    if message.seq <= state.last_seq:
        raise ValueError(f"message seq {message.seq} is not after the arc's last seq {state.last_seq}")
    new = state.model_copy()  # shallow: the helpers below replace nested values, never mutate them
    new.unscored_messages += message.seq - state.last_seq - 1
    new.last_seq = message.seq
    if message.role == Role.bot:
        _bot_answer(new, message)
    elif message.role == Role.agent:
        new.agent_turns += 1
        new.last_answer_role = Role.agent
        new.earlier_answers = []
    else:
        new.customer_turns += 1
        # a yes to what the bot's last answer offered: that answer said again next is no loop, and this message
        # saying the request again is no rephrase (`_reaction_to_bot`)
        said_yes = bool(
            state.last_answer_role == Role.bot
            and state.last_bot
            and state.last_bot.offered
            and accepts(message.text)
        )
        if said_yes:
            new.accepted = True
        if scores.sentiment is not None:
            _customer_message(new, scores, message.text, said_yes)
        if remember is not None:
            counts = {
                "bot_turns": state.bot_turns,
                "bot_failures": state.bot_failures,
                "agent_turns": state.agent_turns,
            }
            new.recent = [*new.recent, remember.model_copy(update=counts)][-RECENT:]
    return new


def _bot_answer(state: ArcState, message: MessageSnapshot) -> None:
    confidence = message.bot.confidence if message.bot else None
    answer_id = message.bot.answer_id if message.bot else None
    text = normalize(message.text)
    fingerprint = f"{zlib.crc32(text.encode()):08x}" if text else None
    said = statements(message.text)
    previous = state.last_bot if state.last_answer_role == Role.bot else None
    kept = state.earlier_answers  # emptied by an agent's answer, so only the bot's since the last one
    # An earlier answer said again counts only once the answer in between failed too ("It's on a cable. Not
    # wifi."): a booking confirmed in the words it was first described in is progress, not a loop.
    earlier = kept if previous is not None and previous.failed else []
    repeated = (
        previous is not None
        and not state.accepted  # "yes please" to "4A and 4B are free. Shall I book them?": "Booked: 4A and 4B."
        and state.customer_turns > previous.customer_turns
        and fingerprint is not None
        and (
            fingerprint == previous.fingerprint
            or any(same_statements(before, said) for before in (previous.statements, *earlier))
        )
    )
    if previous is not None:
        state.earlier_answers = [*kept, previous.statements][-EARLIER_ANSWERS:]
    state.bot_turns += 1
    state.last_answer_role = Role.bot
    state.accepted = False
    state.last_bot = LastBot(
        message_id=message.message_id,
        seq=message.seq,
        confidence=confidence,
        answer_id=answer_id,
        fingerprint=fingerprint,
        statements=said,
        customer_turns=state.customer_turns,
        promised_days=promised_days(message.text),
        asked=asks_only(message.text),
        offered=message.text.rstrip().endswith("?"),
    )
    # A loop first: the customer came back and got nothing new, whatever the bot's confidence in it.
    if repeated:
        _bot_failed(state, REPEATED_ANSWER)
    elif confidence is not None and confidence < LOW_BOT_CONFIDENCE:
        _bot_failed(state, LOW_CONFIDENCE)


def _customer_message(state: ArcState, scores: Scores, text: str = "", said_yes: bool = False) -> None:
    sentiment = float(scores.sentiment or 0.0)
    state.sentiment_ewma = (
        sentiment
        if state.sentiment_ewma is None
        else EWMA_ALPHA * sentiment + (1 - EWMA_ALPHA) * state.sentiment_ewma
    )
    state.sentiments = [*state.sentiments, sentiment][-SLOPE_WINDOW:]
    if scores.frustration is not None:
        state.peak_frustration = max(state.peak_frustration or 0.0, scores.frustration)
    state.turns_since_positive = (
        0 if sentiment >= POSITIVE_SENTIMENT else (state.turns_since_positive or 0) + 1
    )
    state.repeats += scores.repeat_of is not None
    state.rephrasings += scores.rephrase_of is not None
    state.negative_feedback += bool(scores.negative_feedback)
    state.human_requests += bool(scores.asks_for_human)
    reason = _reaction_to_bot(state, scores, text, said_yes)
    if (
        reason is None
        and sentiment >= POSITIVE_SENTIMENT
        and not (scores.negative_feedback or scores.asks_for_human)
        and settles(text)
    ):
        state.settled_seq = state.last_seq
    if reason == REPEAT:
        _earlier_answers_failed(state, state.recent_message(scores.repeat_of))
    if reason and state.last_bot is not None and state.last_bot.failed == LOW_CONFIDENCE:
        _failure_shown(state, reason)
    elif reason:
        _bot_failed(state, reason)


def _earlier_answers_failed(state: ArcState, earlier: Recent | None) -> None:
    """A message said again word for word after several answers ("code 448 213 not working at locker
    Lindenstr." once more, after two answers beside the point) shows that none of them settled it: the answers
    before the last one since the message, not yet counted, count as failed (`REPEAT`) too. The last one is
    counted by the caller. A rephrasing (the embedding's reading) only ever counts the last."""
    if earlier is None or earlier.bot_turns is None or earlier.bot_failures is None or state.last_bot is None:
        return
    if earlier.agent_turns != state.agent_turns:
        return  # an agent answered since: the bot's answers before it were handed back, not failed again
    answers = state.bot_turns - earlier.bot_turns
    counted = state.bot_failures - earlier.bot_failures
    before_last = answers - counted - (0 if state.last_bot.failed else 1)
    if before_last > 0:
        state.bot_failures += before_last
        _count(state, REPEAT, before_last)


def _reaction_to_bot(state: ArcState, scores: Scores, text: str = "", said_yes: bool = False) -> str | None:
    """Why the customer's message shows the bot's latest answer failed, or None. Only while that answer
    is the last one given (no agent since) and has not already been counted, or was counted on the bot's own
    doubt alone (`LOW_CONFIDENCE`: the customer's reaction then shows it). `said_yes`: the message accepts what
    that answer offered (`advance`)."""
    bot = state.last_bot
    if state.last_answer_role != Role.bot or bot is None or bot.failed not in (None, LOW_CONFIDENCE):
        return None
    if scores.negative_feedback and not (bot.asked and _ANSWERED.match(normalize(text))):
        return NEGATIVE_FEEDBACK
    if scores.asks_for_human:
        return ASKED_FOR_HUMAN
    if bot.promised_days is not None and text:
        waited = elapsed_days(text)
        if waited is not None and waited > bot.promised_days:
            return OVERDUE
    if bot.asked or (said_yes and "?" not in text):
        # an answer to the bot's question, or a yes to what it offered ("ok do that then, refund and I'll order the
        # 8s"), may well say again what was asked before; "ok. so where is my refund?" asks again, and "yes that's why
        # I'm asking" after an answer that offered nothing is no yes
        return None
    for reason, earlier_id in ((REPEAT, scores.repeat_of), (REPHRASE, scores.rephrase_of)):
        earlier = state.recent_message(earlier_id)
        # asked again what the answer should have settled, and not settled by the customer since
        if earlier is not None and state.settled_seq < earlier.seq < bot.seq:
            return reason
    return None


def _failure_shown(state: ArcState, reason: str) -> None:
    """An answer already counted as unsure, which the customer's reaction now shows failed (the same question
    word for word after it, "that's not what I asked"): it moves from `LOW_CONFIDENCE` to the customer's reason,
    still counted once. The bot's doubt is a guess; the customer's reaction is the evidence the `bot_failing`
    guardrail asks for."""
    assert state.last_bot is not None
    state.last_bot = state.last_bot.model_copy(update={"failed": reason})
    _count(state, LOW_CONFIDENCE, -1)
    _count(state, reason, 1)


def _bot_failed(state: ArcState, reason: str) -> None:
    assert state.last_bot is not None
    state.last_bot = state.last_bot.model_copy(update={"failed": reason})
    state.bot_failures += 1
    _count(state, reason, 1)


def _count(state: ArcState, reason: str, n: int) -> None:
    """`bot_failure_reasons[reason] += n`, as a new dict (states are copied shallowly); a reason at 0 is dropped."""
    reasons = {**state.bot_failure_reasons, reason: state.bot_failure_reasons.get(reason, 0) + n}
    state.bot_failure_reasons = {code: count for code, count in reasons.items() if count}


# ---------------------------------------------------------------------------------------------- trajectory


def slope(values: list[float]) -> float | None:
    """Least-squares slope of `values` against their index (per turn); None for fewer than two."""
    n = len(values)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    return sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values)) / sxx


def volatility(values: list[float]) -> float | None:
    """Population standard deviation of the successive differences; None for fewer than two differences."""
    deltas = [b - a for a, b in itertools.pairwise(values)]
    if len(deltas) < 2:
        return None
    mean = sum(deltas) / len(deltas)
    return math.sqrt(sum((d - mean) ** 2 for d in deltas) / len(deltas))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---------------------------------------------------------------------------------------------- memory


@functools.lru_cache(maxsize=64)
def _words(text: str) -> tuple[str, ...]:
    # Cached: `substantive` and `minhash` look at the same message one after the other.
    return tuple(t for t in tokens(normalize(text)) if t not in "!?")


def substantive(text: str) -> bool:
    """Worth remembering and comparing: at least MIN_TOKENS words ("ok", "thanks" are not)."""
    return len(_words(text)) >= MIN_TOKENS


def minhash(text: str) -> np.ndarray:
    """MinHash signature (MINHASH_SIZE uint32) of the character 3-grams of the normalised words (case,
    accents and punctuation do not count; numbers are all alike)."""
    import numpy as np

    joined = " ".join(_words(text))[:2000]
    grams = {joined[i : i + 3] for i in range(max(1, len(joined) - 2))}
    hashes = np.fromiter((zlib.crc32(g.encode()) % _PRIME for g in grams), dtype=np.uint64, count=len(grams))
    a = np.asarray(_MINHASH_A, dtype=np.uint64)[:, None]
    b = np.asarray(_MINHASH_B, dtype=np.uint64)[:, None]
    return ((a * hashes[None, :] + b) % _PRIME).min(axis=1).astype("<u4")


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_COURTESY = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|understand|thank(?:s| you)|happy to help|glad to|here to help|hope this"
    r"|let (?:me|us) know|feel free|have a (?:great|good|nice))\b"
)
"""Courtesy said around every answer ("I'm sorry for the inconvenience.", "I understand your frustration."):
not what the answer states, so said twice it is no loop."""


_STOP = frozenset(
    "a an the to of for and or in on at by with your you we our is are be can it this that if from as will may please"  # noqa: SIM905
    " its it's i my me".split()
)
"""Words every sentence has: left out of what a statement states."""


def statements(text: str) -> list[str]:
    """What each sentence of a bot answer states, as `<h>.<h>...:<words>:<n>.<n>...`: 16-bit hashes of its content
    words (stop words left out, numbers all alike), its word count, and 16-bit hashes of the numbers the whole answer
    names (none: empty; the amounts and dates of a re-listed confirmation are often on lines too short to be
    statements). Only sentences of at least `STATEMENT_WORDS` words that are not a question and not a courtesy
    (`_COURTESY`). Never the text."""
    text = text[:5000].strip()
    named = ".".join(sorted({f"{zlib.crc32(n.encode()) & 0xFFFF:04x}" for n in _NUMBER.findall(text)}))
    out = []
    for sentence in _SENTENCE_END.split(text):
        words = _words(sentence)
        if (
            len(words) >= STATEMENT_WORDS
            and not sentence.rstrip().endswith("?")
            and not _COURTESY.search(" ".join(words))
        ):
            hashes = sorted({f"{zlib.crc32(w.encode()) & 0xFFFF:04x}" for w in words if w not in _STOP})
            out.append(f"{'.'.join(hashes)}:{len(words)}:{named}")
    return out


_CONFIRM = re.compile(
    r"^(?:(?:so |ok(?:ay)?|alright|great|perfect|sure|got it)[ ,.!]+)?(?:(?:please|kindly|can you|could you|would"
    r" you|will you) (?:confirm|verify|check)|(?:just )?to confirm|let me confirm|confirming)\b"
)
"""A confirmation asked for ("Please confirm the following details: ...", "To confirm, that's 4 tickets for
March 9th."): the sentences after it are the details to confirm, not statements."""


_ANSWERED = re.compile(r"(?:no|nope|nah)[ ,.!]+(?:i|we) (?:want|need|wanted|would like|'d like|prefer)\b")
"""A "no" that answers the bot's question with what the customer wants instead ("Do you want it till March
13th?" "Nope, I need the car till the 9th."): a correction the bot asked for, not feedback on an answer."""


_ACCEPT = re.compile(
    r"^(?:yes|yeah|yea|yep|yup|ya|sure|ok(?:ay)?|k|alright|perfect|great|fine|please do|go ahead|do it|do that"
    r"|sounds good|that'?s (?:fine|great|perfect|good|right|correct)|correct|ja|jawohl|oui|si|sim|tak|oke|d'accord"
    r"|va bene|certo|claro|vale|prima|graag|bitte|gerne)\b(?![^.!?]*\b(?:but|still|again|however|though|aber|noch"
    r"|immer noch|mais|toujours|pero|todavia|nog steeds|ma|ancora)\b)"
)
"""A yes to what the bot offered or read back, with no "but" or "still" after it in the same sentence ("yes
change it", "ok do that then, refund and I'll order the 8s", "ja doe maar"): a customer going along, not asking
again."""


_SETTLED = re.compile(
    r"\b(?:got (?:it|them|both|the \w+)|(?:it|that|this) (?:works|worked|did it|did the trick)|works (?:now|again|fine)"
    r"|working (?:now|again)|(?:is|are|all) (?:there|back|fixed|sorted|solved|resolved)|(?:fixed|sorted|solved"
    r"|resolved) (?:now|it)|all (?:good|sorted|set|fixed)|(?:i|we) (?:see|have|can see) (?:it|them) (?:now|there)"
    r"|showing (?:now|up)|came through|arrived|perfect|awesome|brilliant|excellent|great)\b"
)
"""What says the bot's answer worked ("got them!! thanks", "that did it", "all sorted, cheers"); a "thanks, I'll try
that" says only that the customer will try it."""


def settles(text: str) -> bool:
    """Whether the customer's message says the bot's answer worked (`_SETTLED`; the caller also wants it positive)."""
    return _SETTLED.search(normalize(text)) is not None


def accepts(text: str) -> bool:
    """Whether the customer's message accepts what the bot offered or read back (`_ACCEPT`)."""
    return _ACCEPT.match(normalize(text)) is not None


def asks_only(text: str) -> bool:
    """Whether a bot answer only asks the customer something: it has a question or a confirmation to give
    (`_CONFIRM`), and states nothing else (`statements`: a sentence of `STATEMENT_WORDS` words that is not a
    question or a courtesy). "Which city are you leaving from?", "Sorry to hear that. Could you share the order
    number?", "Please confirm: a table for 2 at 7:15 pm." ask; "Reset it from Settings. Did that help?" answers."""
    asked = False
    for sentence in _SENTENCE_END.split(text[:5000].strip()):
        words = _words(sentence)
        if not words:
            continue
        if _CONFIRM.search(" ".join(words)):
            return True
        if sentence.rstrip().endswith("?"):
            asked = True
        elif len(words) >= STATEMENT_WORDS and not _COURTESY.search(" ".join(words)):
            return False
    return asked


def same_statements(before: list[str], now: list[str]) -> bool:
    """Whether the answer `now` says again what `before` said: its statements that say what one of `before`'s
    said (`SAME_STATEMENT_OVERLAP` of the shorter one's content words in the other: "Transfers usually take 2-3
    business days." after "Prescription transfers typically take 2-3 business days.") make up `SAME_ANSWER_SHARE`
    of its words. One sentence added to the same answer does not make it new; a long new answer that repeats one
    reminder of the last is new."""
    earlier = [_content(item) for item in before]
    if not earlier:
        return False
    total = repeated = 0
    for item in now:
        content, words, numbers = _content(item)
        total += words
        if len(content) >= SAME_STATEMENT_CONTENT and any(
            _overlap(content, e) >= SAME_STATEMENT_OVERLAP and _same_numbers(numbers, n)
            for e, _, n in earlier
        ):
            repeated += words
    return total > 0 and repeated >= SAME_ANSWER_SHARE * total


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _same_numbers(now: str | None, before: str | None) -> bool:
    """Two statements in the same words say the same unless the new answer names a number the earlier one did not:
    the details re-listed after the customer changed the amount ("Amount: $1,200.00", before "$1,500.00") or a slot
    confirmed ("now tomorrow 19:00-20:00") are progress; "take 2-3 business days" said again, or "the Growth plan
    allows 100 requests per second" after an answer that also named the 429, is not. None: a statement stored before
    the numbers were kept (counted alike)."""
    if not now or not before:
        return True
    return set(now.split(".")) <= set(before.split("."))


def _content(item: str) -> tuple[frozenset[str], int, str | None]:
    parts = item.split(":")
    hashes, words = parts[0], parts[1] if len(parts) > 1 else ""
    numbers = parts[2] if len(parts) > 2 else None  # None: stored before the numbers were kept
    return frozenset(h for h in hashes.split(".") if h), int(words or 0), numbers


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the 3-gram sets behind two MinHash signatures."""
    return float((a == b).mean())


def encode_minhash(signature: np.ndarray) -> str:
    return base64.b64encode(signature.astype("<u4").tobytes()).decode("ascii")


def decode_minhash(text: str) -> np.ndarray:
    import numpy as np

    return np.frombuffer(base64.b64decode(text), dtype="<u4")


def encode_embedding(vector: Any) -> str:
    import numpy as np

    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def decode_embedding(text: str) -> np.ndarray:
    import numpy as np

    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)


def forget(state: ArcState, message_id: str, at: datetime) -> ArcState:
    """The state without what it remembers of a message the helpdesk redacted at `at` (its MinHash and
    embedding, or a bot answer's fingerprints), and with the id remembered as redacted (`baton.ordered`).
    Counts stay; they say nothing of what was written."""
    last_bot = state.last_bot
    if last_bot is not None and last_bot.message_id == message_id:
        last_bot = last_bot.model_copy(update={"fingerprint": None, "statements": []})
    return state.model_copy(
        update={
            "recent": [r for r in state.recent if r.message_id != message_id],
            "redacted": remember(state.redacted, message_id, at),
            "last_bot": last_bot,
        }
    )
