/* wasi_link.c — the wasi_snapshot_preview1 import table: defines every host function in a
 * linker. Functions reach their context through wasm_instance_user(), so a linker is shared. */
#include <stdio.h>
#include <string.h>

#include "wasi/wasi_int.h"

typedef struct wasi_import {
    const char *name;
    const char *sig;
    wasm_host_func fn;
} wasi_import;

#define WASI_ROW(name, sig) {#name, sig, wasi_fn_##name},
static const wasi_import imports[] = {WASI_FN_LIST(WASI_ROW)};
#undef WASI_ROW

bool wasi_link(wasm_linker *l, wasm_error *err)
{
    if (!l) {
        if (err)
            snprintf(err->message, sizeof err->message, "wasi_link: no linker");
        return false;
    }
    for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++)
        if (!wasm_linker_define_func(l, "wasi_snapshot_preview1", imports[i].name, imports[i].sig,
                                     imports[i].fn, NULL, err))
            return false;
    return true;
}

bool wasi_link_imports(wasm_linker *l, const wasm_module *m, wasm_error *err)
{
    if (!l || !m) {
        if (err)
            snprintf(err->message, sizeof err->message, "wasi_link_imports: no linker or module");
        return false;
    }
    size_t n = wasm_module_import_count(m);
    for (size_t k = 0; k < n; k++) {
        wasm_import_info ii;
        if (!wasm_module_import_at(m, k, &ii) || ii.kind != WASM_EXTERN_FUNC ||
            strcmp(ii.module, "wasi_snapshot_preview1"))
            continue;
        bool seen = false; /* the same name imported twice is defined once */
        for (size_t j = 0; j < k && !seen; j++) {
            wasm_import_info jj;
            seen = wasm_module_import_at(m, j, &jj) && jj.kind == WASM_EXTERN_FUNC &&
                   !strcmp(jj.module, ii.module) && !strcmp(jj.name, ii.name);
        }
        if (seen)
            continue;
        for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++)
            if (!strcmp(imports[i].name, ii.name)) {
                if (!wasm_linker_define_func(l, "wasi_snapshot_preview1", imports[i].name,
                                             imports[i].sig, imports[i].fn, NULL, err))
                    return false;
                break;
            }
    }
    return true;
}
