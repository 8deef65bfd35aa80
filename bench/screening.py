"""Time disclosure screening of typical young people's answers: `.venv/bin/python bench/screening.py`.

Prints microseconds per answer (best of several rounds, after a warm-up) for ordinary answers,
disclosures and a long answer, and the one-off cost of loading and compiling the phrase file; then
the same with the learned second opinion (as the service screens) and the one-off cost of training it;
then the load benchmarks' four answers (bench/shapes.py) against the examples file's varied ordinary
answers, read once with cold word caches and again warm, because the load benchmarks repeat four.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shapes import TEXTS
from voice_service.safeguarding.examples import EXAMPLES_FILE, training_examples
from voice_service.safeguarding.learned import train
from voice_service.safeguarding.phrasebook import load_phrasebook
from voice_service.safeguarding.screening import Screener

ORDINARY = [
    "More youth clubs please, and cheaper buses. The skate park is good but it closes too early.",
    "i like my school the teachers are kind but there is nothing to do at weekends in my area",
    "I think young people should be listened to more. We should have a say in what happens in York.",
    "better wifi at school and more football pitches",
    "My mum helps me with reading. I feel safe at home and at school.",
]
DISCLOSURES = [
    "my mums bf hits me and i dont feel safe at home",
    "sometimes i want to kms tbh, nobody would care",
    "a man on snap keeps asking me for pics and says its our secret",
]
LONG = " ".join(ORDINARY * 8)


def per_call(screener: Screener, texts: list[str], rounds: int, number: int) -> float:
    """Best mean microseconds per answer over `rounds` rounds."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            for t in texts:
                screener.screen(t)
        results.append((time.perf_counter() - start) / (number * len(texts)) * 1e6)
    return min(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    loads = []
    for _ in range(3):
        start = time.perf_counter()
        screener = Screener(load_phrasebook())
        loads.append((time.perf_counter() - start) * 1000)
    per_call(screener, ORDINARY + DISCLOSURES, 1, 50)  # warm the word caches, as a running service has
    ordinary = per_call(screener, ORDINARY, args.rounds, args.number)
    disclosures = per_call(screener, DISCLOSURES, args.rounds, args.number)
    long = per_call(screener, [LONG], args.rounds, max(1, args.number // 20))
    cold = Screener(load_phrasebook())
    unseen = per_call(cold, ORDINARY, 1, 1)
    print(
        f"screening: ordinary {ordinary:.1f}us disclosure {disclosures:.1f}us "
        f"long({len(LONG)} chars) {long:.0f}us first-sight {unseen:.0f}us | load {statistics.median(loads):.0f}ms"
    )
    start = time.perf_counter()
    screener.model = train(training_examples(EXAMPLES_FILE, screener.categories), screener.words)
    trained = (time.perf_counter() - start) * 1000
    per_call(screener, ORDINARY + DISCLOSURES, 1, 50)
    ordinary = per_call(screener, ORDINARY, args.rounds, args.number)
    disclosures = per_call(screener, DISCLOSURES, args.rounds, args.number)
    long = per_call(screener, [LONG], args.rounds, max(1, args.number // 20))
    print(
        f"with the learned model: ordinary {ordinary:.1f}us disclosure {disclosures:.1f}us "
        f"long({len(LONG)} chars) {long:.0f}us | training {trained:.0f}ms"
    )
    examples = training_examples(EXAMPLES_FILE, screener.categories, sets=None)
    varied = [e.text for e in examples if not e.disclosure]
    bench_texts = per_call(screener, TEXTS, args.rounds, args.number)
    first = per_call(screener, varied, 1, 1)
    again = per_call(screener, varied, 1, 1)
    words = statistics.mean(len(t.split()) for t in varied)
    print(
        f"load benchmarks' 4 answers {bench_texts:.1f}us | {len(varied)} varied ordinary answers "
        f"({words:.1f} words on average): first sight {first:.1f}us, again {again:.1f}us"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
