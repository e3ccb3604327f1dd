"""Reproduces the demo models from a fixed seed: python3 models/train/train.py (see README.md beside this file).

Stages (each writes into --work and is skipped when its output exists, so an interrupted run resumes):
  1. data      ttscale data arith: training problems with reference solutions
  2. sft       the policy learns to solve from reference solutions (one cosine schedule of SFT_STEPS)
  2b. checker  the PRM's checker: the same, trained longer (CHECKER_STEPS), so it makes fewer slips than the policy
  3. attempts  the policy's own attempts on fresh problems -> ttscale data revisions -> on-policy revision examples
  4. revise    the policy continues on solutions mixed with revision examples
  5. prm-data  the final policy's attempts -> ttscale data label -> per-step labels from the exact step checker
  6. prm       the PRM, reading the frozen checker's surprisal and initialised from it, learns P(still correct) at step delimiters
  7. export    ONNX + config + vocabulary into models/arith-lm and models/arith-prm (every run: seconds)
  8. evaluate  held-out figures -> metrics.json and MODEL_CARD.md (evaluate.py)
"""
import argparse
import os
import random
import time

import torch
import torch.nn.functional as F

import common
import vocab
from common import read_jsonl, ttscale, write_jsonl
from export import export_policy, export_prm, write_config
from model import CausalLM, Config, ProcessRewardModel

# Fixed recipe; every random choice below derives from --seed. Training and the attempt/PRM-data sampling run
# under bfloat16 autocast (about 3.5x faster on this CPU, same loss curve); held-out evaluation runs in float32,
# as the exported models do.
TRAIN_PROBLEMS, TRAIN_SEED = 200000, 101
ATTEMPT_PROBLEMS, ATTEMPT_SEED, ATTEMPTS, REVISIONS_PER_PROBLEM = 4000, 202, 4, 4
PRM_PROBLEMS, PRM_SEED, PRM_SAMPLES = 4000, 303, 4
SFT_STEPS, CHECKER_STEPS, REVISE_STEPS, PRM_STEPS = 3000, 9000, 1600, 900
BATCH, PEAK_LR, PRM_LR = 64, 2e-3, 1e-3
TEMPERATURE, MAX_NEW = 0.8, 160


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def stage(path, what):
    if os.path.exists(path):
        log(f"{what}: done already ({os.path.relpath(path)})")
        return False
    log(f"{what} ...")
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(os.path.dirname(__file__), "work"))
    ap.add_argument("--models", default=os.path.join(common.ROOT, "models"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--smoke", action="store_true", help="a few steps of every stage, to check the pipeline runs (models are useless)")
    args = ap.parse_args()
    if args.smoke:
        shrink()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    os.makedirs(args.work, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)
    common.build_cli()
    config = Config(vocab_size=vocab.VOCAB_SIZE)

    if stage(w("train.jsonl"), "data"):
        ttscale("data", "arith", "--count", TRAIN_PROBLEMS, "--seed", TRAIN_SEED, "--levels", "1-5", "--out", w("train.jsonl"))
    train = read_jsonl(w("train.jsonl"))
    solutions = [common.example_ids(r["prompt"], r["solution"], config.context_length) for r in train]

    if stage(w("sft.pt"), "sft"):
        torch.manual_seed(args.seed)
        lm = CausalLM(config)
        checkpoint = lambda step: torch.save(lm.state_dict(), w(f"sft-{step}.pt"))  # the model card's accuracy by step
        common.train_lm(lm, solutions, SFT_STEPS, PEAK_LR, BATCH, args.seed, log, checkpoint=checkpoint)
        torch.save(lm.state_dict(), w("sft.pt"))

    if stage(w("checker.pt"), "checker"):
        torch.manual_seed(args.seed + 6)
        checker = CausalLM(config)
        common.train_lm(checker, solutions, CHECKER_STEPS, PEAK_LR, BATCH, args.seed + 6, log)
        torch.save(checker.state_dict(), w("checker.pt"))

    if stage(w("revisions.jsonl"), "attempts"):
        lm = CausalLM(config)
        lm.load_state_dict(torch.load(w("sft.pt")))
        lm.eval()
        ttscale("data", "arith", "--count", ATTEMPT_PROBLEMS, "--seed", ATTEMPT_SEED, "--levels", "1-5", "--out", w("attempt-problems.jsonl"))
        problems = read_jsonl(w("attempt-problems.jsonl"))
        with common.bf16():
            attempts = common.sample(lm, [p["prompt"] for p in problems], ATTEMPTS, TEMPERATURE, MAX_NEW, args.seed + 1)
        write_jsonl(w("attempts.jsonl"), [dict(id=p["id"], level=p["level"], prompt=p["prompt"], completions=a) for p, a in zip(problems, attempts)])
        ttscale("data", "revisions", "--in", w("attempts.jsonl"), "--out", w("revisions.jsonl"), "--per-problem", REVISIONS_PER_PROBLEM,
                "--seed", args.seed, "--context", config.context_length)

    if stage(w("policy.pt"), "revise"):
        lm = CausalLM(config)
        lm.load_state_dict(torch.load(w("sft.pt")))
        revisions = [common.example_ids(r["prompt"], r["solution"], config.context_length) for r in read_jsonl(w("revisions.jsonl"))]
        rng = random.Random(args.seed + 2)
        mixture = revisions + rng.sample(solutions, len(revisions))  # half revision examples, half plain solutions
        log(f"  {len(revisions)} revision examples")
        common.train_lm(lm, mixture, REVISE_STEPS, PEAK_LR / 2, BATCH, args.seed + 2, log)
        torch.save(lm.state_dict(), w("policy.pt"))

    if stage(w("prm-labels.jsonl"), "prm-data"):
        lm = CausalLM(config)
        lm.load_state_dict(torch.load(w("policy.pt")))
        lm.eval()
        ttscale("data", "arith", "--count", PRM_PROBLEMS, "--seed", PRM_SEED, "--levels", "1-5", "--out", w("prm-problems.jsonl"))
        problems = read_jsonl(w("prm-problems.jsonl"))
        with common.bf16():
            samples = common.sample(lm, [p["prompt"] for p in problems], PRM_SAMPLES, TEMPERATURE, MAX_NEW, args.seed + 3)
        write_jsonl(w("prm-samples.jsonl"), [dict(id=p["id"], level=p["level"], prompt=p["prompt"], completions=s) for p, s in zip(problems, samples)])
        ttscale("data", "label", "--in", w("prm-samples.jsonl"), "--out", w("prm-labels.jsonl"))

    if stage(w("prm.pt"), "prm"):
        torch.manual_seed(args.seed + 4)
        prm = ProcessRewardModel(config, delimiter_id=vocab.STEP_DELIMITER_ID)
        checker_state = torch.load(w("checker.pt"))
        prm.checker.load_state_dict(checker_state)
        prm.model.load_state_dict({k[len("model."):]: v for k, v in checker_state.items() if k.startswith("model.")})
        train_prm(prm, read_jsonl(w("prm-labels.jsonl")), config, args.seed + 4)
        torch.save(prm.state_dict(), w("prm.pt"))

    lm_dir, prm_dir = os.path.join(args.models, "arith-lm"), os.path.join(args.models, "arith-prm")
    # Always exported (seconds): the committed models must never stand in for freshly trained ones.
    log("export ...")
    lm = CausalLM(config)
    lm.load_state_dict(torch.load(w("policy.pt")))
    prm = ProcessRewardModel(config, delimiter_id=vocab.STEP_DELIMITER_ID)
    prm.load_state_dict(torch.load(w("prm.pt")))
    for d in (lm_dir, prm_dir):
        os.makedirs(d, exist_ok=True)
    write_config(lm_dir, lm, "causal-lm")
    export_policy(lm, os.path.join(lm_dir, "model.onnx"))
    write_config(prm_dir, prm, "process-reward-model", extra={"score": "P(the solution is still correct), read at step delimiters"})
    export_prm(prm, os.path.join(prm_dir, "model.onnx"))

    import evaluate
    # The recipe's constants as run (--smoke shrinks them), for the model cards.
    recipe = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, (int, float))}
    evaluate.run(args.work, lm_dir, prm_dir, lm_state=w("policy.pt"), prm_state=w("prm.pt"), config=config, recipe=recipe,
                 seed=args.seed + 5, log=log, smoke=args.smoke)


def shrink():
    global TRAIN_PROBLEMS, ATTEMPT_PROBLEMS, PRM_PROBLEMS, SFT_STEPS, CHECKER_STEPS, REVISE_STEPS, PRM_STEPS
    TRAIN_PROBLEMS, ATTEMPT_PROBLEMS, PRM_PROBLEMS = 500, 40, 40
    SFT_STEPS, CHECKER_STEPS, REVISE_STEPS, PRM_STEPS = 3, 3, 3, 3


def train_prm(prm, labelled, config, seed):
    """Binary cross-entropy at each step delimiter against the step checker's prefix-correct label."""
    examples = []
    for record in labelled:
        for completion in record["completions"]:
            ids, _ = common.example_ids(record["prompt"], completion["text"], config.context_length)
            targets = [0.0] * len(ids)
            weights = [0.0] * len(ids)
            for step in completion["steps"]:
                i = common.delimiter_index(record["prompt"], step["end"])
                if i < len(ids) and ids[i] == vocab.STEP_DELIMITER_ID:
                    targets[i], weights[i] = float(step["prefix_correct"]), 1.0
            examples.append((ids, weights, targets))
    log(f"  {len(examples)} labelled completions, {sum(sum(e[1]) for e in examples):.0f} labelled steps")
    token_lists = [(e[0], [0] * len(e[0])) for e in examples]
    rng = random.Random(seed)
    opt = torch.optim.AdamW(prm.parameters(), lr=PRM_LR, betas=(0.9, 0.98), weight_decay=0.01)
    prm.train()
    queue = []
    for step in range(PRM_STEPS):
        if not queue:
            queue = common.batches(token_lists, BATCH, rng)
        index = queue.pop()
        ids, attention, positions, _ = common.collate(token_lists, index)
        weights = torch.zeros(ids.shape)
        targets = torch.zeros(ids.shape)
        for row, i in enumerate(index):
            weights[row, :len(examples[i][1])] = torch.tensor(examples[i][1])
            targets[row, :len(examples[i][2])] = torch.tensor(examples[i][2])
        with common.bf16():
            logits = prm(ids, attention, positions)[0].float()
        loss = (F.binary_cross_entropy_with_logits(logits, targets, reduction="none") * weights).sum() / weights.sum()
        for g in opt.param_groups:
            g["lr"] = common.lr_at(step, PRM_STEPS, PRM_LR)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(prm.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == PRM_STEPS - 1:
            log(f"  step {step}/{PRM_STEPS} loss {loss.item():.4f}")
    prm.eval()


if __name__ == "__main__":
    main()
