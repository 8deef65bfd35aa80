"""voice_service: the web service, database, jobs and CLI of the partnership's survey platform."""
