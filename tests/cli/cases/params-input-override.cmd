$CONVCALC params exercises/assignment.spec --input 32x32
