# The tree of `govai scan --dir`'s benchmark (README, "Scanning directories"):
#   python3 scripts/gen-scan-tree.py target/scan-tree
# Generate a tree of 1,000 text files of ~64 KB each (64 MB): policy prose with about one
# finding (mobile, resident ID or e-mail) per 2 KB, in 10 directories.
import os, random, sys
root = sys.argv[1] if len(sys.argv) > 1 else "bench-tree"
rng = random.Random(19)
prose = ["本政策自发布之日起施行，由市政府办公厅负责解释。", "各区县人民政府、市政府各部门要高度重视，切实加强组织领导。",
         "进一步优化营商环境，深化“放管服”改革，提升政务服务效能。", "对群众反映的问题，承办单位应当在规定时限内办结并反馈。"]
def rid(n):
    body = "1101011990%02d%02d%03d" % (1 + n % 12, 1 + n % 28, n % 1000)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]
n = 0
for f in range(1000):
    d = os.path.join(root, "dept%02d" % (f % 10)); os.makedirs(d, exist_ok=True)
    out, size = [], 0
    while size < 64_000:
        line = "".join(rng.choice(prose) for _ in range(8))
        if rng.random() < 0.35:
            n += 1
            line += rng.choice(["联系电话138%08d。" % n, "身份证号%s。" % rid(n), "邮箱 user%d@example.com。" % n])
        out.append(line); size += len(line.encode()) + 1
    open(os.path.join(d, "doc%04d.txt" % f), "w").write("\n".join(out) + "\n")
