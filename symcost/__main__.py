import sys

from symcost.cli.main import main

sys.exit(main())
