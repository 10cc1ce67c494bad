#!/bin/bash
# libFuzzer on the envelope (head frame) decoder and on the batch decoder (protocol 5), each
# for a bounded time (EXO_FUZZ_SECONDS, 20).
. "$EXO_TOP_SRCDIR/tests/support/lib.sh"
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || skip_or_fail "clang (apt install clang libclang-rt-14-dev)"
Z="$EXO_TOP_SRCDIR/plugins/transport-zmq"
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$EXO_TOP_BUILDDIR" -I"$Z" "$Z/wire.c" "$Z/tests/fuzz_wire.c" -o "$T/fuzz_wire" \
  > "$T/build.log" 2>&1 || {
  grep -q "fuzzer" "$T/build.log" && skip_or_fail "libFuzzer runtime (libclang-rt-14-dev): $(tail -1 "$T/build.log")"
  cat "$T/build.log"; fail "cannot build the fuzz target"; }
mkdir -p "$T/corpus"; cp "$Z/tests/fuzz-corpus/"* "$T/corpus/"
"$T/fuzz_wire" -max_total_time="${EXO_FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 \
  "$T/corpus" > "$T/fuzz.log" 2>&1 || { tail -40 "$T/fuzz.log"; fail "the fuzzer found a crash"; }
grep -E 'stat::number_of_executed_units' "$T/fuzz.log"
# The batch decoder (protocol 5): the broker splits every batch a client sends.
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$EXO_TOP_BUILDDIR" -I"$Z" "$Z/wire.c" "$Z/tests/fuzz_batch.c" -o "$T/fuzz_batch" \
  > "$T/build-batch.log" 2>&1 || { cat "$T/build-batch.log"; fail "cannot build the batch fuzz target"; }
mkdir -p "$T/corpus-batch"; cp "$Z/tests/fuzz-corpus-batch/"* "$T/corpus-batch/"
"$T/fuzz_batch" -max_total_time="${EXO_FUZZ_SECONDS:-20}" -max_len=4096 -print_final_stats=1 \
  "$T/corpus-batch" > "$T/fuzz-batch.log" 2>&1 ||
  { tail -40 "$T/fuzz-batch.log"; fail "the batch fuzzer found a crash"; }
grep -E 'stat::number_of_executed_units' "$T/fuzz-batch.log"
echo ok
