$CONVCALC params exercises/assignment.spec --batch 0
