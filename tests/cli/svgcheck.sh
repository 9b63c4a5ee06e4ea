#!/bin/sh
# svgcheck.sh [--caption] FILE.svg... - for the CLI golden tests of
# figures: each file must be well-formed XML (xmllint) and render
# (rsvg-convert) to a PNG of the SVG's size, and valid SVG 1.1 (xmllint
# --dtdvalid with the W3C DTD from Debian's w3c-sgml-lib); then the text of every <text>
# element is printed, one per line, so the golden output states the
# numbers and labels drawn. --caption: only the captions (the text in
# <g class="caption">), each joined into one line.
caption=0
dtd=/usr/share/xml/w3c-sgml-lib/schema/dtd/REC-SVG11-20110816/svg11.dtd
if [ ! -f "$dtd" ]; then echo "svgcheck: $dtd: not installed (w3c-sgml-lib)"; exit 1; fi
if [ "$1" = "--caption" ]; then caption=1; shift; fi
status=0
for f in "$@"; do
    if ! xmllint --noout "$f"; then
        echo "svgcheck: $f: not well-formed"; status=1; continue
    fi
    if ! xmllint --noout --dtdvalid "$dtd" "$f"; then
        echo "svgcheck: $f: not valid SVG 1.1"; status=1; continue
    fi
    png="${TMPDIR:-/tmp}/svgcheck.$$.png"
    if ! rsvg-convert -o "$png" "$f" || [ ! -s "$png" ]; then
        echo "svgcheck: $f: rsvg-convert cannot render it"; status=1; continue
    fi
    # the PNG's width and height (bytes 17-24 of the IHDR chunk)
    size=$(od -An -tu1 -j16 -N8 "$png" | awk '{printf "%dx%d", $3*256+$4, $7*256+$8}')
    rm -f "$png"
    if [ $caption = 1 ]; then
        sed -n '/<g class="caption">/,/<\/g>/p' "$f" | sed -e 's/<g class="caption">/\n/' \
            -e 's/<text[^>]*>//; s/<\/text>//; /<\/g>/d' -e 's/&lt;/</g; s/&gt;/>/g' \
            -e 's/&amp;/\&/g' | tr '\n' ' ' | tr -s ' ' | sed 's/^ *//; s/ *$//'
        echo
        continue
    fi
    echo "$(basename "$f"): rendered ${size}"
    grep -o '<text[^>]*>[^<]*</text>' "$f" | sed -e 's/<[^>]*>//g' -e 's/&lt;/</g' \
        -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
done
exit $status
