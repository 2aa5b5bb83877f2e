"""A realistic Hugging Face catalogue for Shanghai AI Lab's handles, with their naming habits.

The synthetic world names an organisation's models `Stem-Word3-7B-chat`; the real catalogues
are messier, and release families must be inferred from the real habits: sizes with underscores
(`1_8b`), MoE sizes (`20B-A4B`, `241B-A28B`), AWQ/GGUF/FP8/4bit builds, `-hf`/`-HF` ports, `_5`
minor versions that are other releases, bare numbers that are releases (`MinerU2.0-2505`),
context lengths (`-1m`) and variants (`-chat`, `-Instruct`, `-Pretrained`, `-MPO`). The names
below follow the organisations' public model lists (OpenGVLab, internlm, opendatalab,
Alpha-VLLM); figures stay synthetic. `generate_world(..., catalogue=True)` publishes them.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from ossimpact.sandbox.model import HfModel


def _sizes(stem: str, sizes: str, *suffixes: str) -> list[str]:
    return [f"{stem}-{size}{suffix}" for size in sizes.split() for suffix in ("", *suffixes)]


_INTERNVL = [
    *_sizes("InternVL2", "1B 2B 4B 8B 26B 40B", "-AWQ"),
    "InternVL2-Llama3-76B",
    "InternVL2-Llama3-76B-AWQ",
    "InternVL2-8B-MPO",
    *_sizes("InternVL2_5", "1B 2B 4B 8B 26B 38B 78B", "-AWQ", "-MPO", "-MPO-AWQ"),
    *_sizes("InternVL3", "1B 2B 8B 9B 14B 38B 78B", "-AWQ", "-hf", "-Instruct", "-Pretrained"),
    *_sizes("InternVL3_5", "1B 2B 4B 8B 14B 38B 30B-A3B 241B-A28B", "-HF", "-Instruct"),
    *_sizes("InternVL3_5", "1B 2B 4B 8B 14B 38B 30B-A3B 241B-A28B", "-Pretrained", "-MPO"),
    "InternVL3_5-GPT-OSS-20B-A4B-Preview",
    "InternVL3_5-GPT-OSS-20B-A4B-Preview-HF",
    "InternVL-Chat-V1-1",
    "InternVL-Chat-V1-2",
    "InternVL-Chat-V1-2-Plus",
    "InternVL-Chat-V1-5",
    "InternVL-Chat-V1-5-AWQ",
    "Mini-InternVL-Chat-2B-V1-5",
    "Mini-InternVL-Chat-4B-V1-5",
    "InternViT-6B-224px",
    "InternViT-6B-448px-V1-0",
    "InternViT-6B-448px-V1-2",
    "InternViT-6B-448px-V1-5",
    "InternViT-6B-448px-V2_5",
    "InternViT-300M-448px",
    "InternViT-300M-448px-V2_5",
    "InternVideo2-Chat-8B",
    "InternVideo2-Chat-8B-HD",
    "InternVideo2_5_Chat_8B",
    "VideoChat-Flash-Qwen2-7B_res448",
    "VideoChat-Flash-Qwen2_5-2B_res448",
    "VideoChat-Flash-Qwen2_5-7B_res448",
    "VisualPRM-8B",
    "VisualPRM-8B-v1_1",
    *_sizes("ScaleCUA", "3B 7B 32B"),
]

_INTERNLM = [
    "internlm-7b",
    "internlm-chat-7b",
    "internlm-chat-7b-8k",
    "internlm-chat-7b-v1_1",
    "internlm-20b",
    "internlm-chat-20b",
    "internlm-chat-20b-4bit",
    *_sizes("internlm2", "1_8b 7b 20b", "-reward"),
    "internlm2-chat-1_8b",
    "internlm2-chat-1_8b-sft",
    "internlm2-base-7b",
    "internlm2-chat-7b",
    "internlm2-chat-7b-sft",
    "internlm2-base-20b",
    "internlm2-chat-20b",
    "internlm2-chat-20b-sft",
    "internlm2-chat-20b-4bits",
    *_sizes("internlm2-math", "7b 20b"),
    *_sizes("internlm2-math-base", "7b 20b"),
    *_sizes("internlm2-math-plus", "1_8b 7b 20b"),
    "internlm2-wqx-20b",
    "internlm2-wqx-vl-20b",
    *_sizes("internlm2_5", "1_8b 7b 20b", "-chat", "-chat-gguf"),
    "internlm2_5-7b-chat-1m",
    "internlm2_5-7b-chat-4bit",
    "internlm2_5-step-prover",
    "internlm3-8b-instruct",
    "internlm3-8b-instruct-gguf",
    "internlm3-8b-instruct-awq",
    "Intern-S1",
    "Intern-S1-FP8",
    "Intern-S1-GGUF",
    "Intern-S1-mini",
    "Intern-S1-mini-FP8",
    "Intern-S1-mini-GGUF",
    "internlm-xcomposer-7b",
    "internlm-xcomposer-7b-4bit",
    "internlm-xcomposer-vl-7b",
    "internlm-xcomposer2-7b",
    "internlm-xcomposer2-7b-4bit",
    "internlm-xcomposer2-vl-7b",
    "internlm-xcomposer2-vl-7b-4bit",
    "internlm-xcomposer2-vl-1_8b",
    "internlm-xcomposer2-4khd-7b",
    "internlm-xcomposer2d5-7b",
    "internlm-xcomposer2d5-7b-4bit",
    "internlm-xcomposer2d5-7b-reward",
    "internlm-xcomposer2d5-ol-7b",
    *_sizes("POLAR", "1_8B 7B", "-Base"),
    *_sizes("OREAL", "7B 32B", "-SFT"),
    *_sizes("JanusCoder", "8B 14B"),
    *_sizes("JanusCoderV", "7B 8B"),
    "AlchemistCoder-DS-6.7B",
    "AlchemistCoder-L-7B",
    "AlchemistCoder-CL-7B",
]

_OPENDATALAB = [
    "MinerU2.0-2505-0.9B",
    "MinerU2.5-2509-1.2B",
    "PDF-Extract-Kit",
    "PDF-Extract-Kit-1.0",
    "meta-rater-1b-readability",
    "meta-rater-1b-reasoning",
    "meta-rater-1b-professionalism",
    "meta-rater-1b-cleanliness",
]

_ALPHA_VLLM = [
    "Lumina-Image-2.0",
    "Lumina-Next-T2I",
    "Lumina-Next-SFT",
    "Lumina-Next-SFT-diffusers",
    "Lumina-T2X",
    "Lumina-mGPT-7B-512",
    "Lumina-mGPT-7B-768",
    "Lumina-mGPT-7B-768-Omni",
    "Lumina-mGPT-7B-1024",
    "Lumina-mGPT-34B-512",
    "Lumina-mGPT-2.0",
    "Lumina-DiMOO",
    "LLaMA2-Accessory",
    "SPHINX",
]

# Hugging Face handle -> model names, in publication order (as the organisation lists them).
CATALOGUE: dict[str, tuple[str, ...]] = {
    "OpenGVLab": tuple(dict.fromkeys(_INTERNVL)),
    "internlm": tuple(dict.fromkeys(_INTERNLM)),
    "opendatalab": tuple(dict.fromkeys(_OPENDATALAB)),
    "Alpha-VLLM": tuple(dict.fromkeys(_ALPHA_VLLM)),
}

# A build of another catalogue model: its name is the base's plus these parts (quantized edge).
_BUILD_SUFFIX = re.compile(r"-(AWQ|GGUF|gguf|awq|FP8|4bit|4bits)$")


def catalogue_for(handle: str) -> tuple[str, ...]:
    """The real-habit model names of a handle (case-insensitive); empty for other handles."""
    for known, names in CATALOGUE.items():
        if known.casefold() == handle.casefold():
            return names
    return ()


def base_of(name: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(base name, build suffix) when `name` is a build of another name of the same catalogue,
    as the Hub records it (`base_model` with relation `quantized`)."""
    match = _BUILD_SUFFIX.search(name)
    if match is None:
        return None
    base = name[: match.start()]
    return (base, match.group(1)) if base in names else None


class _Builder(Protocol):
    world: Any

    def model(self, model_id: str, author: str, *, flagship: bool = False) -> HfModel: ...
    def quantize(self, base: HfModel, suffix: str, author: str | None = None) -> HfModel: ...
    def add_model(self, model: HfModel) -> None: ...


def publish_catalogue(builder: _Builder, handle: str) -> bool:
    """Add the handle's catalogue models to the world being built (builds linked to their base
    models); False when the handle has no catalogue. Models already in the world are kept."""
    names = catalogue_for(handle)
    for name in names:
        model_id = f"{handle}/{name}"
        if model_id in builder.world.models:
            continue
        found = base_of(name, names)
        base = builder.world.models.get(f"{handle}/{found[0]}") if found else None
        if found and base is not None:
            model = builder.quantize(base, found[1])
        else:
            model = builder.model(model_id, handle)
        builder.add_model(model)
    return bool(names)
