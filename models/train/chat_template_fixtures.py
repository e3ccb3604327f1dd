"""Writes models/fixtures/chat-templates/golden.json: every fixture's chat template rendered by Jinja itself.

Each folder under models/fixtures/chat-templates/ is a model directory's chat template as Hugging Face ships it
(tokenizer_config.json's chat_template, or chat_template.jinja beside it). Each is rendered over the conversations
below in transformers' environment (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its
tojson and raise_exception, the special tokens as variables), so TTScale's renderer is checked against the reference.
strftime_now is left out, as TTScale leaves it out: a prompt must not change with the day.

    apt-get install -y python3-jinja2
    /usr/bin/python3 models/train/chat_template_fixtures.py
"""
import json
import os

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "chat-templates")
SPECIAL = ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]

PROBLEM = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"
CONVERSATIONS = [
    ("user", [{"role": "user", "content": PROBLEM}], True),
    ("system and user", [{"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
                         {"role": "user", "content": "What is 47+28*3?"}], True),
    ("two rounds", [{"role": "user", "content": "  What is 2+2?  "}, {"role": "assistant", "content": "2+2=4\nA: 4"},
                    {"role": "user", "content": "And \"3+3\"? Answer in {braces}, café ünïcode."}], True),
    ("finished", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "12*12?"},
                  {"role": "assistant", "content": "12*12=144\nA: 144"}], False),
    ("assistant first", [{"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Hi?"}], True),
]


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def load(folder):
    config_path = os.path.join(folder, "tokenizer_config.json")
    config = json.load(open(config_path, encoding="utf-8")) if os.path.exists(config_path) else {}
    file = os.path.join(folder, "chat_template.jinja")
    template = open(file, encoding="utf-8").read() if os.path.exists(file) else config["chat_template"]
    tokens = {}
    for name in SPECIAL:
        value = config.get(name)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            tokens[name] = value
    return template, tokens


def main():
    env = environment()
    golden = {}
    for name in sorted(os.listdir(ROOT)):
        folder = os.path.join(ROOT, name)
        if not os.path.isdir(folder):
            continue
        source, tokens = load(folder)
        template = env.from_string(source)
        cases = []
        for title, messages, generation_prompt in CONVERSATIONS:
            case = {"title": title, "messages": messages, "add_generation_prompt": generation_prompt}
            try:
                case["text"] = template.render(messages=messages, tools=None, documents=None,
                                               add_generation_prompt=generation_prompt, **tokens)
            except jinja2.exceptions.TemplateError as e:
                case["error"] = str(e)
            cases.append(case)
        golden[name] = cases
    with open(os.path.join(ROOT, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
