#!/usr/bin/env bash
# Times a golden session copy on (a) XFS with reflink=1 and (b) ext4, both on loop devices: Kiln's parallel
# reflink copier (the real Java class, dev.kiln.activities.golden.ParallelCopier) against a single cp -a of the
# same tree. Coreutils 9 makes cp default to --reflink=auto, so the single cp is also timed with
# --reflink=never, the cost of a real data copy. Page caches are dropped before every copy.
#
#   sudo bash api/bench/golden-copy.sh            # 2 GiB synthetic golden
#   GOLDEN_MIB=512 sudo bash api/bench/golden-copy.sh
set -euo pipefail

cd "$(dirname "$0")/../.."
GOLDEN_MIB=${GOLDEN_MIB:-2048}
IMAGE_MIB=$(( GOLDEN_MIB * 4 + 1024 ))
WORK=$(mktemp -d /tmp/kiln-golden-bench.XXXXXX)
LOOPS=()
MOUNTS=()

cleanup() {
    set +e
    for mount in "${MOUNTS[@]}"; do
        [ -n "$mount" ] && mountpoint -q "$mount" && { umount "$mount" 2>/dev/null || umount -l "$mount"; }
    done
    for loop in "${LOOPS[@]}"; do losetup -d "$loop"; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] || { echo "run as root (loop devices, mounts)" >&2; exit 1; }
for tool in mkfs.xfs mkfs.ext4 losetup java python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
if [ ! -f activities/target/test-classes/dev/kiln/activities/golden/GoldenCopyBench.class ]; then
    mvn -B -q -o -pl activities test-compile
fi
CLASSPATH_DIRS=activities/target/classes:activities/target/test-classes

# Many files across overlay2-like layer dirs, a mix of sizes: small config files, medium libraries, a few
# large blobs, like a warmed Docker data dir. Incompressible, fixed seed: both filesystems get the same tree.
make_golden() {
    python3 - "$1" "$GOLDEN_MIB" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
random.seed(7)
sizes = [(4096, 0.10), (65536, 0.20), (1 << 20, 0.30), (32 << 20, 0.40)]
block = os.urandom(32 << 20)
layers = 12
for d in ("image/overlay2/layerdb/sha256", "overlay2/l", "volumes", "buildkit"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
count = 0
for size, share in sizes:
    n = max(1, int(total * share) // size)
    for i in range(n):
        layer = os.path.join(root, "overlay2", "layer%02d" % (count % layers), "diff", "d%03d" % (i % 97))
        os.makedirs(layer, exist_ok=True)
        offset = random.randrange(0, len(block) - size + 1)
        with open(os.path.join(layer, "f%06d" % count), "wb") as f:
            f.write(block[offset:offset + size] if size < len(block) else block)
        count += 1
for i in range(layers):
    os.symlink("../layer%02d/diff" % i, os.path.join(root, "overlay2", "l", "L%02d" % i))
print(count)
PY
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

now_ms() { date +%s%3N; }

declare -A RESULT

bench_fs() {
    local name=$1 mkfs=$2
    local image="$WORK/$name.img" mount="$WORK/$name"
    truncate -s "${IMAGE_MIB}M" "$image"
    local loop
    loop=$(losetup -f --show "$image")
    LOOPS+=("$loop")
    $mkfs "$loop" >/dev/null 2>&1
    mkdir -p "$mount"
    mount "$loop" "$mount"
    MOUNTS+=("$mount")
    local files
    files=$(make_golden "$mount/golden")
    local bytes
    bytes=$(du -sb "$mount/golden" | cut -f1)
    echo "[$name] golden: $files files, $(( bytes / 1024 / 1024 )) MiB apparent"

    drop_caches
    local line
    line=$(java -cp "$CLASSPATH_DIRS" dev.kiln.activities.golden.GoldenCopyBench "$mount/golden" "$mount/parallel")
    RESULT[$name.parallel]=${line%% *}
    local workers=${line##* }

    drop_caches
    local start end
    start=$(now_ms); cp -a "$mount/golden" "$mount/single"; end=$(now_ms)
    RESULT[$name.single]=$(( end - start ))

    drop_caches
    start=$(now_ms); cp -a --reflink=never "$mount/golden" "$mount/full"; end=$(now_ms)
    RESULT[$name.full]=$(( end - start ))

    diff -rq "$mount/golden" "$mount/parallel" >/dev/null || { echo "[$name] parallel copy differs!" >&2; exit 1; }
    echo "[$name] parallel reflink copier ($workers workers): ${RESULT[$name.parallel]} ms"
    echo "[$name] single cp -a (coreutils default reflink=auto): ${RESULT[$name.single]} ms"
    echo "[$name] single cp -a --reflink=never: ${RESULT[$name.full]} ms"
    echo "[$name] used after 3 copies: $(df -BM --output=used "$mount" | tail -1 | tr -d ' ')"
    umount "$mount"; MOUNTS=("${MOUNTS[@]/$mount}")
}

bench_fs xfs "mkfs.xfs -f -m reflink=1"
bench_fs ext4 "mkfs.ext4 -F -q"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0) a = 1; printf "%.1fx", b / a }'; }
echo
echo "summary (${GOLDEN_MIB} MiB golden, times in ms)"
printf '%-6s %10s %10s %14s %18s %18s\n' fs parallel "cp -a" "cp -a noreflink" "cp-a/parallel" "noreflink/parallel"
for fs in xfs ext4; do
    printf '%-6s %10s %10s %14s %18s %18s\n' "$fs" "${RESULT[$fs.parallel]}" "${RESULT[$fs.single]}" \
        "${RESULT[$fs.full]}" "$(ratio "${RESULT[$fs.parallel]}" "${RESULT[$fs.single]}")" \
        "$(ratio "${RESULT[$fs.parallel]}" "${RESULT[$fs.full]}")"
done
echo "ext4 parallel / xfs parallel: $(ratio "${RESULT[xfs.parallel]}" "${RESULT[ext4.parallel]}")"
