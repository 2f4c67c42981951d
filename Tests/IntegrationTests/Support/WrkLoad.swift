/// Shell lines that write a wrk script to `$UB_STATE/<name>.lua`: POSTs of a `normalize-phone`
/// call with the anon key — a cheap request every pool worker answers, for load through nginx.
func normalizePhoneLoadScript(_ name: String) -> String {
    #"""
    cat > "$UB_STATE/\#(name).lua" <<'LUA'
    wrk.method = "POST"
    wrk.body = '{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}'
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer \#(Tokens.anon)"
    LUA
    """#
}
