"""Assembly of the running bot: settings, dispatcher, scheduler and the command line."""
