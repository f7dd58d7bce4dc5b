"""`baton train sentiment --data DIR` (the support recipe) on tiny synthetic data in the layout of ../shared/data:
it reads every source, keeps the contrast set out of training, writes a model the runtime loads and reproduces,
and reports the contrast set, TweetEval and the held-out sources in its card."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from baton.scoring import sentiment
from baton.training import sentiment as training
from baton.training.sentiment_support import Item, near_duplicates, read_maia, split_items

CALM = [
    "how do I download last month's invoice",
    "can you add a new user to our workspace",
    "sorry, I meant the staging account",
    "no, that's fine, thanks",
    "the export failed with error 502, steps attached",
    "what is your refund policy for annual plans",
]
UPSET = [
    "this is the third time I ask and it still does not work",
    "absolutely useless, nobody answers",
    "I am so annoyed, waiting for days",
    "terrible service, fix it now",
]
POSITIVE = ["thank you so much, that was great", "love it, perfect"]


def _write_data(root: Path, rng: random.Random) -> Path:
    data = root / "data"
    go = data / "goemotions"
    go.mkdir(parents=True)
    names = [
        "admiration",
        "amusement",
        "anger",
        "annoyance",
        "approval",
        "caring",
        "confusion",
        "curiosity",
        "desire",
        "disappointment",
        "disapproval",
        "disgust",
        "embarrassment",
        "excitement",
        "fear",
        "gratitude",
        "grief",
        "joy",
        "love",
        "nervousness",
        "optimism",
        "pride",
        "realization",
        "relief",
        "remorse",
        "sadness",
        "surprise",
        "neutral",
    ]
    (go / "emotions.txt").write_text("\n".join(names) + "\n")
    (go / "sentiment_dict.json").write_text(
        json.dumps(
            {
                "positive": ["joy", "gratitude", "love"],
                "negative": ["anger", "annoyance", "remorse"],
                "ambiguous": [],
            }
        )
    )
    rows = []
    for i in range(60):
        rows.append(f"{rng.choice(UPSET)} {i}\t{names.index('annoyance')}\tid{i}")
        rows.append(f"{rng.choice(CALM)} {i}\t{names.index('neutral')}\tic{i}")
        rows.append(f"{rng.choice(POSITIVE)} {i}\t{names.index('gratitude')}\tip{i}")
    (go / "train.tsv").write_text("\n".join(rows) + "\n")
    for domain in ("banking", "hotels"):
        (data / "nluplusplus" / domain).mkdir(parents=True)
        (data / "nluplusplus" / domain / "fold0.json").write_text(
            json.dumps(
                [{"text": f"{rng.choice(CALM)} ({domain} {i})", "intents": ["request"]} for i in range(10)]
            )
        )
    (data / "bitext").mkdir()
    with (data / "bitext" / "sample.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["flags", "utterance", "category", "intent"])
        for i in range(20):
            w.writerow(["B", f"{rng.choice(CALM)} please {i}", "ACCOUNT", "edit_account"])
            w.writerow(["BW", f"{rng.choice(UPSET)} damn {i}", "FEEDBACK", "complaint"])
    (data / "maia_dqe").mkdir()
    dialogues = []
    for d in range(12):
        turns = []
        for i in range(3):
            upset = rng.random() < 0.4
            turns.append(
                {
                    "floor": "inbound",
                    "text_mt": [f"{rng.choice(UPSET if upset else CALM)} maia {d} {i}"],
                    "Emotion": [5 if upset else 2],
                }
            )
            turns.append(
                {"floor": "outbound", "text_src": ["Let me check that."], "text_mt": ["..."], "Emotion": [0]}
            )
        dialogues.append({"id": f"dlg-{d}", "turns": turns, "dialog": {}})
    (data / "maia_dqe" / "de_client_02.json").write_text(json.dumps(dialogues))
    (data / "clinc150").mkdir()
    (data / "clinc150" / "train_val.json").write_text(
        json.dumps({"train": [[f"{rng.choice(CALM)} clinc {i}", "x"] for i in range(20)]})
    )
    (data / "banking77").mkdir()
    (data / "banking77" / "train.csv").write_text(
        "text,category\n" + "".join(f"{rng.choice(CALM)} bank {i},x\n" for i in range(20))
    )
    tw = data / "tweeteval" / "sentiment"
    tw.mkdir(parents=True)
    for split in ("val", "test"):
        texts, labels = [], []
        for i in range(15):
            for text, label in ((rng.choice(UPSET), 0), (rng.choice(CALM), 1), (rng.choice(POSITIVE), 2)):
                texts.append(f"{text} tw{i}")
                labels.append(str(label))
        (tw / f"{split}_text.txt").write_text("\n".join(texts) + "\n")
        (tw / f"{split}_labels.txt").write_text("\n".join(labels) + "\n")
    (data / "sst2").mkdir()
    dev = ["sentence\tlabel"] + [f"{p}\t1" for p in POSITIVE] + [f"{u}\t0" for u in UPSET]
    (data / "sst2" / "train.tsv").write_text("\n".join(dev) + "\n")
    (data / "sst2" / "dev.tsv").write_text("\n".join(dev) + "\n")
    (data / "complaints").mkdir()
    with (data / "complaints" / "complaints-data.csv").open("w", newline="") as f:
        w = csv.writer(f)
        for i in range(10):
            w.writerow([i, rng.choice(UPSET), 1, "x"])
            w.writerow([i + 100, rng.choice(CALM), 0, "x"])
    (data / "amazonhelp_twcs").mkdir()
    with (data / "amazonhelp_twcs" / "amazonhelp_annotations.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for text, label in ((UPSET[0], "negative"), (CALM[0], "neutral"), (POSITIVE[0], "positive")) * 3:
            w.writerow([text, label])
    return data


def test_the_support_recipe_trains_a_model_the_runtime_loads(tmp_path: Path) -> None:
    data = _write_data(tmp_path, random.Random(3))
    supplement = tmp_path / "labelled"
    supplement.mkdir()
    (supplement / "support_training.jsonl").write_text(
        "".join(
            json.dumps({"text": t, "sentiment": s, "frustrated": f}) + "\n"
            for t, s, f in (
                ("sorry, wrong account, it's the other one", "neutral", False),
                ("still waiting, day five", "negative", True),
                ("oh great, broken again, love that", "negative", True),
            )
        )
    )
    contrast = tmp_path / "contrast.jsonl"
    contrast.write_text(
        "".join(json.dumps({"text": t, "label": "calm", "kind": "plain"}) + "\n" for t in CALM[:3])
        + "".join(json.dumps({"text": t, "label": "frustrated", "kind": "anger"}) + "\n" for t in UPSET[:3])
    )
    out = tmp_path / "models"
    from baton.training.sentiment_support import SupportOptions, train_support

    target = train_support(
        SupportOptions(
            data=data,
            out=out,
            spec=training.FeatureSpec(n_buckets=4096),
            latency=False,
            supplement=supplement,
            contrast=contrast,
        ),
        argv=["--data", str(data)],
    )
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["recipe"] == "support" and manifest["features"]["n_buckets"] == 4096
    assert set(manifest["training"]["items"]["fit"]) >= {"goemotions", "bitext", "maia", "supplement"}
    metrics = manifest["metrics"]
    assert metrics["contrast"]["messages"] == 6
    assert metrics["tweeteval"]["band"] > 0 and 0 <= metrics["tweeteval"]["test_macro_recall"] <= 1
    assert "maia" in metrics["held_out"]
    card = (target / "MODEL_CARD.md").read_text()
    assert manifest["version"] in card and "Support contrast set" in card
    model = sentiment.load(target)
    served = model.predict([r["text"] for r in manifest["reference"]])
    for ref, got in zip(manifest["reference"], served, strict=True):
        assert (got.sentiment, got.frustration) == pytest.approx(
            (ref["sentiment"], ref["frustration"]), abs=1e-4
        )
    upset, calm = model.predict(
        ["absolutely useless, nobody answers", "how do I download last month's invoice"]
    )
    assert upset.frustration > calm.frustration and upset.sentiment < calm.sentiment


def test_the_contrast_set_and_its_paraphrases_stay_out_of_training() -> None:
    items = [
        Item("apologies, I attached the wrong screenshot, here is the right one", 0.5, 0, "supplement"),
        Item("completely different sentence about invoices", 0.5, 0, "supplement"),
        Item("apologies, I attached the wrong screenshot, here is the right one", 0.5, 0, "goemotions"),
    ]
    close = near_duplicates(items, ["apologies, I attached the wrong screenshot. here's the right one"])
    assert close == {"apologies, I attached the wrong screenshot, here is the right one"}


def test_a_dialogue_never_sits_on_two_sides_of_a_split(tmp_path: Path) -> None:
    data = _write_data(tmp_path, random.Random(5))
    items = read_maia(data / "maia_dqe")
    assert items and all(i.source == "maia" for i in items)
    fit, stack, held = split_items(items, seed=0)
    sides = {}
    for name, part in (("fit", fit), ("stack", stack), ("held", held)):
        for i in part:
            sides.setdefault(i.group, set()).add(name)
    assert all(len(s) == 1 for s in sides.values())


def test_the_command_names_a_missing_data_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert training.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert "--data" in capsys.readouterr().err


def test_the_decision_fit_reads_maia_chats_as_dialogues(tmp_path: Path) -> None:
    from baton.training.decision import read_maia as read_maia_dialogues

    chat = {
        "id": "c-1",
        "turns": [
            {"floor": "inbound", "text_mt": ["My order never arrived."], "Emotion": [2]},
            {
                "floor": "outbound",
                "text_src": ["Let me check."],
                "text_mt": ["Lass mich schauen."],
                "Emotion": [0],
            },
            {"floor": "inbound", "text_mt": ["This is the third time.", "Unacceptable."], "Emotion": [5, 6]},
        ],
    }
    for name in ("de_client_02.json", "pt_br_client_02.json", "pt_pt_client_03.json"):
        (tmp_path / name).write_text(json.dumps([chat]))
    corpora, files = read_maia_dialogues(tmp_path)
    assert set(corpora) == {"MAIA-DE", "MAIA-PT"} and len(corpora["MAIA-PT"]) == 2
    assert [p.name for p in files["MAIA-PT"]] == ["pt_br_client_02.json", "pt_pt_client_03.json"]
    (dialogue,) = corpora["MAIA-DE"]
    assert [(t.role, t.text) for t in dialogue.turns] == [
        ("customer", "My order never arrived."),
        ("bot", "Let me check."),
        ("customer", "This is the third time. Unacceptable."),
    ]
    assert dialogue.first_need == 1  # the second customer turn shows frustration
    (tmp_path / "pt_pt_client_03.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"pt_pt_client_03\.json"):
        read_maia_dialogues(tmp_path)
