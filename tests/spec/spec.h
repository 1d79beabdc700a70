/* spec.h — shared pieces of the WebAssembly spec-test runner: the `spectest` host module and
 * the conversion/comparison of wast2json values (numbers as decimal bit patterns, NaN
 * patterns, references). */
#ifndef BOXAGENT_SPEC_H
#define BOXAGENT_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "wasm/wasm.h"

/* Define the spectest module (print*, global_*, table, memory) in `l`. */
bool spec_define_spectest(wasm_linker *l, wasm_error *err);

/* ref.extern N is the host pointer N+1, so that ref.extern 0 is not the null reference. */
void *spec_extern_ref(unsigned long long n);

/* Parse one wast2json argument ({"type": "i32", "value": "42"}) into *out.
 * Returns false with a message in err (size errlen) on anything unexpected. */
bool spec_parse_arg(const json_t *v, wasm_value *out, char *err, size_t errlen);

/* Does `got` match the expected value `want` (exact bits, nan:canonical/nan:arithmetic,
 * ref.null, ref.func (any non-null funcref), ref.extern N)? */
bool spec_value_matches(const json_t *want, const wasm_value *got);

/* Human-readable forms for failure reports. */
void spec_format_value(const wasm_value *v, char *out, size_t len);
void spec_format_expected(const json_t *want, char *out, size_t len);

/* Name of a value type ("i32", "funcref", ...). */
const char *spec_type_name(wasm_valtype t);

#endif
