"""A tiny SentencePiece BPE tokenizer.model for the engine's SentencePiece path (Microsoft.ML.Tokenizers' LlamaTokenizer).

Trained on a few ArithChain-like lines with the fixtures' special ids (<pad> 0, <s> 1, </s> 2, <unk> 3) and a vocabulary
small enough (64) to sit under tiny-lm-fp32's 100 logits. Debian's python3-sentencepiece:

    /usr/bin/python3 models/train/sentencepiece_fixture.py models/fixtures/tiny-spm
"""
import os
import shutil
import sys
import tempfile

import sentencepiece as spm

LINES = ["Q: 5 +8 +5", "5+8=13", "13+5=18", "A: 18", "Q: 47 +28 -12", "47+28=75", "75-12=63", "A: 63",
         "Q: 9 x3 -4 +60", "9x3=27", "27-4=23", "23+60=83", "A: 83", "the answer is 42"]


def main(target):
    os.makedirs(target, exist_ok=True)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)  # the model records its input and prefix paths: relative ones keep it byte-reproducible
        try:
            with open("corpus.txt", "w") as f:
                f.write("\n".join(LINES * 20) + "\n")
            spm.SentencePieceTrainer.train(input="corpus.txt", model_prefix="tokenizer", model_type="bpe", vocab_size=64,
                                           pad_id=0, bos_id=1, eos_id=2, unk_id=3, num_threads=1, character_coverage=1.0,
                                           normalization_rule_name="identity", minloglevel=2)
            shutil.copy("tokenizer.model", os.path.join(here, target, "tokenizer.model"))
        finally:
            os.chdir(here)


if __name__ == "__main__":
    main(sys.argv[1])
