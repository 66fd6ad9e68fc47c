from tfdl.cli import main

raise SystemExit(main())
