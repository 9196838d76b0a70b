//! Simulated QuickBooks Web Connector client (in progress).
