#!/usr/bin/env bash
# Packer 1.6.6 as an oracle for the conformance table (conformance.rs).
#
#   oracle.sh check            re-runs every `pk(...)` row of conformance.rs through
#                              `packer console` and reports rows where Packer disagrees
#   oracle.sh rows FILE        prints a `pk(...)` row for each expression in FILE (one a line),
#                              with Packer's answer as the expected JSON
#
# Each expression is evaluated as `jsonencode(EXPR)` in a template whose folder holds a copy
# of testdata/files, so file functions see the same files as the unit test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/testdata/files" "$work/files"
cat > "$work/x.pkr.hcl" <<'HCL'
source "null" "a" { communicator = "none" }
build { sources = ["source.null.a"] }
HCL

ask() {
    # Packer prints only the last line's result; errors go to the same stream.
    (cd "$work" && printf '%s\n' "jsonencode($1)" | timeout 30 packer console x.pkr.hcl 2>&1) || true
}

case "${1:-}" in
check)
    fail=0
    total=0
    while IFS= read -r line; do
        expr="$(sed -E 's/^ *pk\(r#"(.*)"#, r#"(.*)"#\),? *$/\1/' <<<"$line")"
        want="$(sed -E 's/^ *pk\(r#"(.*)"#, r#"(.*)"#\),? *$/\2/' <<<"$line")"
        got="$(ask "$expr")"
        total=$((total + 1))
        if [[ "$got" != "$want" ]]; then
            fail=$((fail + 1))
            printf 'MISMATCH %s\n  packer: %s\n  table:  %s\n' "$expr" "$got" "$want"
        fi
    done < <(perl -0pe 's/pk\(\s*(r#".*?"#),\s*(r#".*?"#),?\s*\)/pk($1, $2)/gs' "$here/conformance.rs" | grep -E '^ *pk\(r#"')
    echo "$((total - fail)) passed, $fail failed"
    [[ $fail -eq 0 ]]
    ;;
rows)
    while IFS= read -r expr; do
        [[ -z "$expr" ]] && continue
        got="$(ask "$expr")"
        if [[ "$got" == *Error* || "$got" == *$'\n'* ]]; then
            printf '    // packer error: %s\n' "$(tr '\n' ' ' <<<"$got" | sed -E 's/ +/ /g')"
            printf '    // %s\n' "$expr"
        else
            printf '    pk(r#"%s"#, r#"%s"#),\n' "$expr" "$got"
        fi
    done < "$2"
    ;;
*)
    echo "usage: $0 check | rows FILE" >&2
    exit 2
    ;;
esac
