"""Course impact: the training report's figures, dashboard, annual report and exports."""
