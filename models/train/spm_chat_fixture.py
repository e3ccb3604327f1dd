"""models/fixtures/spm-chat: a tiny SentencePiece BPE model with byte fallback, and the tokenizer.json files Hugging Face
converts such a model into (Llama 2's legacy Prepend normalizer, Metaspace with prepend_scheme "first" and "always", no
prefix as Gemma), each with the added tokens of chat models (Phi-3's rstrip turn markers, Mistral's [INST], an lstrip
and a single_word token). Step 1 of 2 (Debian's python3-sentencepiece):

    /usr/bin/python3 models/train/spm_chat_fixture.py models/fixtures/spm-chat
    NODE_PATH=/tmp/hftok/node_modules node models/train/spm_chat_golden.mjs models/fixtures/spm-chat

The conversion follows transformers' LlamaConverter: the vocabulary in id order, merges of every two pieces that make a
third, by the third's score, and byte fallback. Byte-reproducible (one thread, relative paths).
"""
import json
import os
import shutil
import sys
import tempfile

import sentencepiece as spm

LINES = ["You are a careful math tutor.", "What is 47 + 28?", "Solve the problem step by step.",
         "Q: 5 +8 +5", "5+8=13", "13+5=18", "A: 18", "The answer is 42.", "Let us think about it.",
         "She has 12 apples and buys 30 more.", "How many apples does she have now?", "Step 1: 12 + 30 = 42"]

# Phi-3's turn markers absorb the whitespace after them (rstrip); Mistral v0.3's [INST] are plain special tokens.
ADDED = [("<|user|>", False, True, False), ("<|assistant|>", False, True, False), ("<|end|>", False, True, False),
         ("<|system|>", False, True, False), ("[INST]", False, False, False), ("[/INST]", False, False, False),
         ("<mask>", True, False, False), ("<word>", False, False, True)]

LEGACY_NORMALIZER = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                         {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
REPLACE = {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}


def metaspace(scheme):
    return {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme, "split": False}


VARIANTS = {"legacy": (LEGACY_NORMALIZER, None), "metaspace-first": (None, metaspace("first")),
            "metaspace-always": (None, metaspace("always")), "no-prefix": (REPLACE, None)}


def train(target):
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        try:
            with open("corpus.txt", "w") as f:
                f.write("\n".join(LINES * 20) + "\n")
            spm.SentencePieceTrainer.train(input="corpus.txt", model_prefix="tokenizer", model_type="bpe", vocab_size=400,
                                           pad_id=0, bos_id=1, eos_id=2, unk_id=3, num_threads=1, character_coverage=1.0,
                                           byte_fallback=True, normalization_rule_name="identity",
                                           remove_extra_whitespaces=False, minloglevel=2)
            shutil.copy("tokenizer.model", os.path.join(here, target, "tokenizer.model"))
        finally:
            os.chdir(here)


def convert(sp, normalizer, pre_tokenizer):
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    merges = []
    for piece, id in vocab.items():
        local = [(piece[:k], piece[k:], sp.get_score(id)) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        merges.extend(sorted(local, key=lambda m: (vocab[m[0]], vocab[m[1]])))
    merges.sort(key=lambda m: m[2], reverse=True)
    special = [{"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for i in (sp.unk_id(), sp.bos_id(), sp.eos_id())]
    added = [{"id": len(vocab) + i, "content": c, "single_word": w, "lstrip": l, "rstrip": r, "normalized": False,
              "special": True} for i, (c, l, r, w) in enumerate(ADDED)]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": special + added, "normalizer": normalizer,
            "pre_tokenizer": pre_tokenizer, "post_processor": None,
            "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                                         {"type": "ByteFallback"}, {"type": "Fuse"},
                                                         {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": vocab, "merges": [[a, b] for a, b, _ in merges]}}


def main(target):
    os.makedirs(target, exist_ok=True)
    train(target)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(target, "tokenizer.model"))
    for name, (normalizer, pre_tokenizer) in VARIANTS.items():
        with open(os.path.join(target, name + ".json"), "w") as f:
            json.dump(convert(sp, normalizer, pre_tokenizer), f, indent=1, ensure_ascii=False)
            f.write("\n")
    print(f"{target}: {sp.get_piece_size()} pieces, {len(VARIANTS)} tokenizer.json variants")


if __name__ == "__main__":
    main(sys.argv[1])
