"""The CPA register: certificates on the CPL, Suppliers' installed devices and remediation plans.

``schema`` keeps the tables, ``importer`` loads CSV returns, ``matching`` attributes devices to
certificates, ``report`` builds the expiry alert as data and ``formats`` renders it.
"""
