$CONVCALC params exercises/assignment.spec --verify
