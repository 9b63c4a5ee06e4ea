# --frames DIR: one figure per step, every one well-formed and rendered
r=$(pwd); cd "$TMPDIR" && $CONVCALC conv --image '1 2 3; 4 5 6; 7 8 9' --kernel '1 0; 0 -1' --stride 2 --padding 1 --frames frames && ls frames && "$r/tests/cli/svgcheck.sh" frames/*.svg | grep -E 'rendered|^Step|^output\(|^sum'
