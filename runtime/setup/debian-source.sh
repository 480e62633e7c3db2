# Sourced by the setup scripts that fetch from Debian (install-criu.sh, debian-rootfs.sh): the machine's own
# Debian archive, so that no script names a host.

# Prints the URI of the machine's main Debian archive: the first "deb" source whose suites include
# this system's codename (e.g. bookworm; not -security/-updates). Reads deb822 .sources files and
# one-line .list files. Never hard-codes a host.
debian_archive_uri() {
    local codename f uri
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 1
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk -v want="$codename" '
            BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^[ \t]*#/ || line !~ /:/) continue
                    k = line; sub(/:.*/, "", k); k = tolower(k)
                    v = line; sub(/^[^:]*:[ \t]*/, "", v); sub(/[ \t]*#.*/, "", v)
                    if (k == "types") types = v
                    else if (k == "uris") uris = v
                    else if (k == "suites") suites = v
                    else if (k == "enabled") enabled = tolower(v)
                }
                if (enabled == "no" || (" " types " ") !~ /[ \t]deb[ \t]/) next
                n = split(suites, s, /[ \t]+/); ok = 0
                for (j = 1; j <= n; j++) if (s[j] == want) ok = 1
                if (!ok) next
                split(uris, u, /[ \t]+/)
                if (u[1] != "") { print u[1]; exit }
            }' "$f")
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk -v want="$codename" '
            $1 == "deb" {
                i = 2
                if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == want) { print $i; exit }
            }' "$f")
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
    done
    return 1
}
