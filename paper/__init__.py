"""Paper originals (纸质原件): loans (借阅登记) and cabinet inventories (库房清点)."""
