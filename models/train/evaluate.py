"""Held-out figures for the model cards: pass@1, pass@16, majority@16, revisions, PRM AUROC, PRM-weighted best-of-16.

Every figure is on problems the models never saw (`ttscale data arith --seed 9001`), sampled at temperature 0.8.
Best-of-16 figures are expectations over K = 64 samples a problem (pass@16 by the unbiased estimator, the selection
rules by the mean over random 16-subsets): one draw of 16 moves majority@16 by a point or two on 500 problems.
"""
import json
import math
import os
import random
from collections import Counter, defaultdict

import torch

import common
import vocab
from common import read_jsonl, ttscale, write_jsonl
from model import CausalLM, ProcessRewardModel

EVAL_SEED, PER_LEVEL, K, N, SUBSETS, REVISION_LEVELS, CHAINS, REVISIONS = 9001, 100, 64, 16, 400, (2, 3, 4), 4, 4
TEMPERATURE, MAX_NEW = 0.8, 160


def auroc(scores, labels):
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties given their mean rank."""
    pairs = sorted(zip(scores, labels))
    ranks = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for _, l in pairs if l)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum = sum(r for r, (_, l) in zip(ranks, pairs) if l)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def majority(answers):
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(a for a in answers if a is not None and counts[a] == best)  # ties: the earliest sample's answer


def weighted(answers, scores):
    totals = defaultdict(float)
    for a, s in zip(answers, scores):
        if a is not None:
            totals[a] += s
    return max(totals, key=lambda a: (totals[a], -answers.index(a))) if totals else None


def pass_at(n, right, k):
    """Unbiased pass@k from n samples of which `right` are right (Chen et al. 2021): 1 - C(n - right, k) / C(n, k)."""
    return 1.0 if n - right < k else 1.0 - math.comb(n - right, k) / math.comb(n, k)


def best_of(answers, scores, correct, gold, rng):
    """Expected majority, PRM-weighted and PRM-naive accuracy of N samples drawn from the problem's K, over SUBSETS
    random subsets (ties go to the subset's earliest sample, so they break at random)."""
    right = Counter()
    for _ in range(SUBSETS):
        pick = rng.sample(range(len(answers)), N)
        picked = [answers[i] for i in pick]
        right["majority"] += majority(picked) == gold
        right["weighted"] += weighted(picked, [scores[i] for i in pick]) == gold
        right["naive"] += correct[max(pick, key=lambda i: scores[i])]  # max keeps the first of equals
    return {rule: count / SUBSETS for rule, count in right.items()}


def run(work, lm_dir, prm_dir, lm_state, prm_state, config, recipe, seed, log, smoke=False):
    w = lambda name: os.path.join(work, name)
    per_level = 4 if smoke else PER_LEVEL
    lm = CausalLM(config)
    lm.load_state_dict(torch.load(lm_state))
    lm.eval()
    prm = ProcessRewardModel(config, delimiter_id=vocab.STEP_DELIMITER_ID)
    prm.load_state_dict(torch.load(prm_state))
    prm.eval()

    log("evaluate: sampling held-out problems ...")
    ttscale("data", "arith", "--count", 5 * per_level, "--seed", EVAL_SEED, "--levels", "1-5", "--slips", "--out", w("eval-problems.jsonl"))
    problems = read_jsonl(w("eval-problems.jsonl"))
    samples = common.sample(lm, [p["prompt"] for p in problems], K, TEMPERATURE, MAX_NEW, seed)
    write_jsonl(w("eval-samples.jsonl"), [dict(id=p["id"], level=p["level"], prompt=p["prompt"], completions=s) for p, s in zip(problems, samples)])
    ttscale("data", "label", "--in", w("eval-samples.jsonl"), "--out", w("eval-labels.jsonl"))
    labelled = read_jsonl(w("eval-labels.jsonl"))

    log("evaluate: PRM scores ...")
    pairs = [(r["prompt"], c["text"]) for r in labelled for c in r["completions"]]
    token_scores = iter(common.prm_scores(prm, pairs))
    step_scores, step_labels, final_scores, final_labels = [], [], [], []
    rows = defaultdict(lambda: defaultdict(list))
    rng = random.Random(seed)
    within = []  # AUROC among one problem's samples, where some are right and some wrong: does the PRM pick candidates?
    for problem, record in zip(problems, labelled):
        answers, last_scores, correct = [], [], []
        for c in record["completions"]:
            scores = next(token_scores)
            at_steps = [scores[i] for i in (common.delimiter_index(record["prompt"], s["end"]) for s in c["steps"]) if i < len(scores)]
            for s, v in zip(c["steps"], at_steps):
                step_scores.append(v)
                step_labels.append(s["prefix_correct"])
            last = at_steps[-1] if at_steps else 0.0
            final_scores.append(last)
            final_labels.append(c["correct"])
            answers.append(c.get("answer"))
            last_scores.append(last)
            correct.append(c["correct"])
        if 0 < sum(correct) < len(correct):
            within.append(auroc(last_scores, correct))
        gold = record["answer"]
        r = rows[problem["level"]]
        expected = best_of(answers, last_scores, correct, gold, rng)
        r["pass@1"].append(sum(correct) / len(correct))
        r[f"pass@{N}"].append(pass_at(len(correct), sum(correct), N))
        for rule in ("majority", "weighted", "naive"):
            r[f"{rule}@{N}"].append(expected[rule])

    slips = slip_check(prm, problems)

    log("evaluate: revision chains ...")
    revision = revision_chains(lm, problems, samples, work, config, seed + 1, per_level)

    levels = sorted(rows)
    table = {str(level): {k: 100 * sum(v) / len(v) for k, v in rows[level].items()} for level in levels}
    table["all"] = {k: 100 * sum(sum(rows[l][k]) for l in levels) / sum(len(rows[l][k]) for l in levels) for k in rows[levels[0]]}
    metrics = {
        "recipe": recipe,
        "problems_per_level": per_level, "samples_per_problem": K, "best_of": N, "subsets": SUBSETS, "temperature": TEMPERATURE, "eval_seed": EVAL_SEED,
        "by_level": table,
        "prm": {"step_auroc": auroc(step_scores, step_labels), "final_auroc": auroc(final_scores, final_labels),
                "within_problem_auroc": sum(within) / len(within) if within else float("nan"), "mixed_problems": len(within),
                "steps": len(step_scores), "completions": len(final_scores), "slips": slips},
        "revision": revision,
    }
    with open(w("metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    import model_card
    model_card.write(lm_dir, prm_dir, metrics, config)
    log("evaluate: " + json.dumps({"all": table["all"], "prm": metrics["prm"], "revision": revision["summary"]}))
    return metrics


def slip_check(prm, problems, per_level=50):
    """Does the PRM check arithmetic? Reference vs one-slip solution (`ttscale data arith --slips`) on levels 2-3,
    by the score at the last delimiter."""
    chosen = [p for level in (2, 3) for p in [p for p in problems if p["level"] == level][:per_level]]
    scores = common.prm_scores(prm, [(p["prompt"], s) for p in chosen for s in (p["solution"], p["slip"])])
    higher = sum(scores[2 * i][-1] > scores[2 * i + 1][-1] for i in range(len(chosen)))
    return {"problems": len(chosen), "reference_higher": higher}


def revision_chains(lm, problems, samples, work, config, seed, per_level):
    """CHAINS chains per problem on levels 2-4: the first attempt is a plain sample, then REVISIONS revisions,
    each prompted (by `ttscale data revision-prompts`) with the last attempts that fit the context."""
    chosen = [(p, s[:CHAINS]) for p, s in zip(problems, samples) if p["level"] in REVISION_LEVELS]
    chains = [(p, [first]) for p, firsts in chosen for first in firsts]
    path = os.path.join(work, "revision-chains.jsonl")
    for round_ in range(REVISIONS):
        write_jsonl(path, [dict(id=p["id"], level=p["level"], prompt=p["prompt"], completions=a) for p, a in chains])
        ttscale("data", "revision-prompts", "--in", path, "--out", path + ".prompts", "--context", config.context_length, "--reserve", MAX_NEW)
        prompts = [r["prompt"] for r in read_jsonl(path + ".prompts")]
        new = common.sample(lm, prompts, 1, TEMPERATURE, MAX_NEW, seed + round_)
        for (_, attempts), n in zip(chains, new):
            attempts.append(n[0])
    write_jsonl(path, [dict(id=p["id"], level=p["level"], prompt=p["prompt"], completions=a) for p, a in chains])
    ttscale("data", "label", "--in", path, "--out", path + ".labels")
    labelled = read_jsonl(path + ".labels")
    by_level = defaultdict(lambda: [[] for _ in range(REVISIONS + 1)])
    for (p, _), record in zip(chains, labelled):
        for i, c in enumerate(record["completions"]):
            by_level[p["level"]][i].append(float(c["correct"]))
    result = {str(level): [100 * sum(v) / len(v) for v in attempts] for level, attempts in sorted(by_level.items())}
    every = [100 * sum(sum(by_level[l][i]) for l in by_level) / sum(len(by_level[l][i]) for l in by_level) for i in range(REVISIONS + 1)]
    result["levels 2-4"] = every
    return {"accuracy_by_attempt": result, "chains": len(chains),
            "summary": {"first": every[0], "last": every[-1], "gain": every[-1] - every[0]}}
