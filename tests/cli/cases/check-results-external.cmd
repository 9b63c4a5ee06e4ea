$CONVCALC check tests/cli/data/results-external/set.txt tests/cli/data/results-external/ada.txt tests/cli/data/results-external/ben.txt tests/cli/data/results-external/cy.txt
