from numseries.cli import main

raise SystemExit(main())
