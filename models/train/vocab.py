"""The demo models' character-level vocabulary: four special tokens, the newline, and printable ASCII.

It is saved as a BPE vocab.json with no merges, which Microsoft.ML.Tokenizers loads as is (see
src/TTScale.Onnx/CharVocabularyTokenizer.cs): one token per character, so text round-trips exactly.
"""
import json

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = [PAD, BOS, EOS, UNK]
CHARS = ["\n"] + [chr(c) for c in range(32, 127)]
TOKENS = SPECIALS + CHARS
ID = {t: i for i, t in enumerate(TOKENS)}
PAD_ID, BOS_ID, EOS_ID, UNK_ID = (ID[t] for t in SPECIALS)
VOCAB_SIZE = len(TOKENS)
STEP_DELIMITER = "\n"  # ArithChain's step delimiter: the PRM is read, and its features reset, at this token
STEP_DELIMITER_ID = ID[STEP_DELIMITER]


def encode(text):
    return [ID.get(ch, UNK_ID) for ch in text]


def decode(ids):
    return "".join(TOKENS[i] for i in ids if i >= len(SPECIALS))


def save(path):
    with open(path, "w") as f:
        json.dump(ID, f, ensure_ascii=True, indent=0)
        f.write("\n")
