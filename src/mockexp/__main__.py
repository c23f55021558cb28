from mockexp.cli import main

raise SystemExit(main())
