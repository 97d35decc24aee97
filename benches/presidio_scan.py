#!/usr/bin/env python3
"""Presidio side of the govai scan benchmark, and the common scoring of both sides.

Runs Presidio's ``AnalyzerEngine`` with only the pattern recognizers for the types it supports
that overlap govai's (phone with CN enabled, credit card, email, IP) and the built-in
``NoOpNlpEngine`` (no spaCy model), on the same corpus file as ``scan_bench``; times it like
``scan_bench`` (texts loaded first, best full pass); then scores Presidio's findings and govai's
(``--govai-findings``, written by ``scan_bench``) against the corpus labels with the same code,
on the shared types only, and prints one report (text, or JSON with ``--json``).

Type mapping (gold -> shared type): cn_mobile, cn_landline -> phone; bank_card -> card;
email -> email; ipv4, ipv6 -> ip. govai findings of other types are ignored; Presidio's
PHONE_NUMBER / CREDIT_CARD / EMAIL_ADDRESS / IP_ADDRESS map to the same four.

A gold span counts as found (recall) when a finding of the same shared type overlaps it ("overlap")
or has exactly its offsets ("exact"). A finding is correct (precision) when it overlaps a gold span
of its shared type. Offsets on both sides are Unicode code points.
"""

import argparse
import importlib.metadata
import json
import sys
import time
import warnings

GOLD_MAP = {"cn_mobile": "phone", "cn_landline": "phone", "bank_card": "card", "email": "email",
            "ipv4": "ip", "ipv6": "ip"}
GOVAI_MAP = GOLD_MAP
PRESIDIO_MAP = {"PHONE_NUMBER": "phone", "CREDIT_CARD": "card", "EMAIL_ADDRESS": "email",
                "IP_ADDRESS": "ip"}
SHARED = ["phone", "card", "email", "ip"]


def offline_tldextract():
    """EmailRecognizer validates domains with tldextract, which fetches the public suffix list
    over the network and, when that fails, retries on every call. Use the bundled snapshot (what
    an online machine uses after its first fetch is cached) so Presidio is not timed on DNS."""
    import tldextract
    import tldextract.tldextract as tx

    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def build_analyzer(phone_regions):
    offline_tldextract()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, EmailRecognizer,
                                                          IpRecognizer, PhoneRecognizer)

    registry = RecognizerRegistry(supported_languages=["en"])
    # CN is not in PhoneRecognizer's default regions (US, GB, DE, FR, IL, IN, CA, BR). The default
    # here is CN alone: the best recall on Chinese numbers and the fastest phone pass (each region
    # is one more phonenumbers matcher over the text), so the speed ratio is conservative.
    for r in (PhoneRecognizer(supported_regions=tuple(phone_regions)), CreditCardRecognizer(), EmailRecognizer(),
              IpRecognizer()):
        registry.add_recognizer(r)
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    return engine


def load_corpus(path):
    texts, golds = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            v = json.loads(line)
            texts.append(v["text"])
            golds.append([(t, s, e) for t, s, e in v["entities"]])
    return texts, golds


def run_presidio(engine, texts, min_secs):
    entities = list(PRESIDIO_MAP)
    t0 = time.perf_counter()
    results = [engine.analyze(text=t, language="en", entities=entities) for t in texts]
    first = time.perf_counter() - t0
    best, passes, start = first, 1, time.perf_counter()
    cpu0, timed = time.process_time(), 0
    while time.perf_counter() - start < min_secs or timed == 0:
        t = time.perf_counter()
        for text in texts:
            engine.analyze(text=text, language="en", entities=entities)
        best = min(best, time.perf_counter() - t)
        passes += 1
        timed += 1
    cpu = (time.process_time() - cpu0) / timed
    findings = [[(r.entity_type, r.start, r.end) for r in rs] for rs in results]
    return findings, {"first_pass_secs": first, "best_pass_secs": best, "passes": passes,
                      "cpu_secs_per_pass": cpu}


def score(golds, findings, mapping):
    """Per shared type: gold count, recall (overlap, exact), findings, precision."""
    out = {t: {"gold": 0, "found_overlap": 0, "found_exact": 0, "predicted": 0, "correct": 0} for t in SHARED}
    for gold, found in zip(golds, findings):
        g = [(GOLD_MAP[t], s, e) for t, s, e in gold if t in GOLD_MAP]
        f = [(mapping[t], s, e) for t, s, e in found if t in mapping]
        for ty, s, e in g:
            out[ty]["gold"] += 1
            if any(ft == ty and fs < e and s < fe for ft, fs, fe in f):
                out[ty]["found_overlap"] += 1
            if any(ft == ty and fs == s and fe == e for ft, fs, fe in f):
                out[ty]["found_exact"] += 1
        for ty, s, e in f:
            out[ty]["predicted"] += 1
            if any(gt == ty and gs < e and s < ge for gt, gs, ge in g):
                out[ty]["correct"] += 1
    total = {k: sum(v[k] for v in out.values()) for k in out["phone"]}
    out["all"] = total
    for v in out.values():
        v["recall"] = v["found_overlap"] / v["gold"] if v["gold"] else None
        v["recall_exact"] = v["found_exact"] / v["gold"] if v["gold"] else None
        v["precision"] = v["correct"] / v["predicted"] if v["predicted"] else None
    return out


def fmt(x):
    return "  -  " if x is None else f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus")
    ap.add_argument("--report", help="print a saved --json report and exit")
    ap.add_argument("--govai-findings", help="findings JSON Lines from scan_bench")
    ap.add_argument("--govai-stats", help="scan_bench's JSON result (throughput)")
    ap.add_argument("--min-secs", type=float, default=3.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--phone-regions", default="CN",
                    help="comma-separated PhoneRecognizer regions (default CN; Presidio's default is "
                         "US,GB,DE,FR,IL,IN,CA,BR)")
    a = ap.parse_args()
    if a.report:
        with open(a.report, encoding="utf-8") as f:
            print_report(json.load(f))
        return
    if not a.corpus:
        ap.error("--corpus is required")

    texts, golds = load_corpus(a.corpus)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    engine = build_analyzer(a.phone_regions.split(","))
    p_findings, p_time = run_presidio(engine, texts, a.min_secs)
    p_mbs = nbytes / 1e6 / p_time["best_pass_secs"]
    p_time["mb_per_cpu_s"] = nbytes / 1e6 / p_time["cpu_secs_per_pass"]
    report = {
        "corpus": {"path": a.corpus, "texts": len(texts), "bytes": nbytes},
        "presidio": {"phone_regions": a.phone_regions, "version": importlib.metadata.version("presidio-analyzer"),
                     "mb_per_s": p_mbs, **p_time, "scores": score(golds, p_findings, PRESIDIO_MAP)},
    }
    if a.govai_findings:
        with open(a.govai_findings, encoding="utf-8") as f:
            g_findings = [[tuple(x) for x in json.loads(line)] for line in f if line.strip()]
        if len(g_findings) != len(texts):
            sys.exit(f"govai findings: {len(g_findings)} lines for {len(texts)} texts")
        report["govai"] = {"scores": score(golds, g_findings, GOVAI_MAP)}
        if a.govai_stats:
            with open(a.govai_stats, encoding="utf-8") as f:
                report["govai"].update(json.load(f))
            report["ratio_govai_over_presidio"] = report["govai"]["mb_per_s"] / p_mbs
            if "mb_per_cpu_s" in report["govai"]:
                report["ratio_govai_over_presidio_cpu"] = (report["govai"]["mb_per_cpu_s"]
                                                           / p_time["mb_per_cpu_s"])

    if a.json:
        print(json.dumps(report, indent=2))
        return
    print_report(report)


def print_report(report):
    c = report["corpus"]
    p = report["presidio"]
    print(f"corpus: {c['texts']} texts, {c['bytes'] / 1e6:.2f} MB ({c['path']}); "
          f"presidio-analyzer {p['version']}, phone regions {p['phone_regions']}, NoOpNlpEngine")
    sides = [("presidio", p)] + ([("govai", report["govai"])] if "govai" in report else [])
    for name, side in sides:
        if "mb_per_s" in side:
            cpu = f", {side['mb_per_cpu_s']:.3f} MB/s by CPU time" if "mb_per_cpu_s" in side else ""
            print(f"{name:9} throughput {side['mb_per_s']:9.3f} MB/s  (best of {side['passes']} passes, "
                  f"{side['best_pass_secs']:.3f} s/pass{cpu})")
    floor = report.get("govai", {}).get("floor")
    if floor:
        cpu = f", {floor['mb_per_cpu_s']:.3f} MB/s by CPU time" if "mb_per_cpu_s" in floor else ""
        print(f"{'floor':9} throughput {floor['mb_per_s']:9.3f} MB/s  (plain regex {floor['engine'][6:]}, best of "
              f"{floor['passes']} passes, {floor['matches']} matches{cpu})")
    if "ratio_govai_over_presidio" in report:
        print(f"ratio govai/presidio: {report['ratio_govai_over_presidio']:.1f}x by wall clock"
              + (f", {report['ratio_govai_over_presidio_cpu']:.1f}x by CPU time"
                 if "ratio_govai_over_presidio_cpu" in report else ""))
    if floor and "mb_per_s" in report.get("govai", {}):
        g = report["govai"]
        cpu = (f", {g['mb_per_cpu_s'] / floor['mb_per_cpu_s']:.3f} by CPU time"
               if "mb_per_cpu_s" in g and "mb_per_cpu_s" in floor else "")
        print(f"ratio govai/floor: {g['mb_per_s'] / floor['mb_per_s']:.3f} by wall clock{cpu}")
    print("\nshared types   gold | presidio recall (exact) prec | govai recall (exact) prec")
    for ty in SHARED + ["all"]:
        ps = p["scores"][ty]
        g = report.get("govai", {}).get("scores", {}).get(ty)
        line = f"{ty:12} {ps['gold']:6} | {fmt(ps['recall'])} ({fmt(ps['recall_exact'])}) {fmt(ps['precision'])}"
        if g:
            line += f" | {fmt(g['recall'])} ({fmt(g['recall_exact'])}) {fmt(g['precision'])}"
        print(line)


if __name__ == "__main__":
    main()
